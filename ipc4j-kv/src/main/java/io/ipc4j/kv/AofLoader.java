package io.ipc4j.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Replays the append-only file into the store at start. A last command cut short (the server died while
 * writing it), or a MULTI without its EXEC at the end, is cut off the file and reported; damage anywhere
 * else stops the start with the offset and how to repair it, as Redis does (aof-load-truncated yes).
 */
final class AofLoader {
    /** What a replay found. */
    record Result(long commands, long truncatedAt, long droppedBytes) {
    }

    private AofLoader() {
    }

    /** Replays {@code file} (if it exists) by running each command as a client would, without logging it. */
    static Result load(Path file, KvServer server) throws IOException {
        if (!Files.exists(file)) {
            return new Result(0, -1, 0);
        }
        Client loader = new Client(0, null, "aof", server, server.config);
        loader.mailbox = NO_MAIL;
        Call call = new Call(server, loader, new Reply());
        call.mayBlock = false;
        RespParser parser = new RespParser(Long.MAX_VALUE, Integer.MAX_VALUE);
        long commands = 0;
        long offset = 0;           // file offset of the buffer's position
        long commandStart = 0;     // where the command being read began
        long multiStart = -1;      // where an open MULTI began
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = in.size();
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (true) {
                int n = in.read(buffer);
                buffer.flip();
                while (true) {
                    if (parser.idle() && buffer.hasRemaining() && buffer.get(buffer.position()) != '*') {
                        throw corrupt(file, commandStart, "a command must start with '*', found byte "
                                + (buffer.get(buffer.position()) & 0xff));
                    }
                    int before = buffer.position();
                    byte[][] command;
                    try {
                        command = parser.next(buffer);
                    } catch (RespParser.ProtocolException e) {
                        throw corrupt(file, commandStart, e.getMessage());
                    }
                    offset += buffer.position() - before;
                    if (command == null) {
                        break;
                    }
                    String name = new String(command[0], StandardCharsets.US_ASCII);
                    if (name.equalsIgnoreCase("multi")) {
                        multiStart = commandStart;
                    } else if (name.equalsIgnoreCase("exec")) {
                        multiStart = -1;
                    }
                    run(file, call, command, commandStart);
                    commands++;
                    commandStart = offset;
                }
                buffer.compact();
                if (n < 0) {
                    break;
                }
                if (!buffer.hasRemaining()) { // a command bigger than the buffer: the parser keeps its parts
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
                }
            }
            long cut = multiStart >= 0 ? multiStart : commandStart;
            if (cut < length) {
                return truncate(file, cut, length, commands, multiStart >= 0);
            }
        }
        return new Result(commands, -1, 0);
    }

    private static void run(Path file, Call call, byte[][] command, long at) throws CorruptLogException {
        Commands.execute(call, command);
        byte[] reply = call.reply.drain();
        if (reply.length > 0 && reply[0] == '-') {
            String error = new String(reply, StandardCharsets.UTF_8).strip();
            if (error.startsWith("-ERR unknown command") || error.startsWith("-ERR wrong number")) {
                throw corrupt(file, at, error.substring(1));
            }
        }
    }

    private static Result truncate(Path file, long cut, long length, long commands, boolean openMulti)
            throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            out.truncate(cut);
            out.force(true);
        }
        System.err.println("[ipc4j-kv] " + file + " ended in the middle of "
                + (openMulti ? "a MULTI/EXEC transaction" : "a command") + " (the server stopped while writing it):"
                + " removed its last " + (length - cut) + " bytes, from offset " + cut + "; " + commands
                + " commands before it are loaded");
        return new Result(commands, cut, length - cut);
    }

    private static CorruptLogException corrupt(Path file, long offset, String why) {
        return new CorruptLogException("Bad file format reading the append only file " + file + " at offset " + offset
                + ": " + why + ". The data after that point would be lost, so the server does not start. Keep a"
                + " copy of the file, then run 'redis-check-aof --fix " + file + "' (it cuts the file at the"
                + " damage), or repair it by hand, and start again");
    }

    private static final Mailbox NO_MAIL = new Mailbox() {
        @Override
        public void deliver(Client client, byte[] frame, boolean resume) {
        }

        @Override
        public void blockedUntil(Client client, Blocking.Wait wait) {
        }

        @Override
        public void kill(Client client) {
        }
    };
}
