package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channels and patterns with their subscribers. PUBLISH encodes a message once per protocol and hands the
 * same bytes to every subscriber's loop (see {@link Mailbox}). Used under the store lock only.
 */
final class PubSub {
    private final Map<Key, Set<Client>> channels = new HashMap<>();
    private final Map<Key, Set<Client>> patterns = new HashMap<>();

    int channelCount() {
        return channels.size();
    }

    int patternCount() {
        return patterns.size();
    }

    /** Subscribes; true if the client was not subscribed to it yet. */
    boolean subscribe(Client c, Key channel, boolean pattern) {
        Set<Key> own = pattern ? c.patterns : c.channels;
        if (!own.add(channel)) {
            return false;
        }
        (pattern ? patterns : channels).computeIfAbsent(channel, k -> new LinkedHashSet<>()).add(c);
        return true;
    }

    boolean unsubscribe(Client c, Key channel, boolean pattern) {
        Set<Key> own = pattern ? c.patterns : c.channels;
        if (!own.remove(channel)) {
            return false;
        }
        Map<Key, Set<Client>> all = pattern ? patterns : channels;
        Set<Client> subscribers = all.get(channel);
        subscribers.remove(c);
        if (subscribers.isEmpty()) {
            all.remove(channel);
        }
        return true;
    }

    /** Removes every subscription of a client that is leaving. */
    void forget(Client c) {
        for (Key k : List.copyOf(c.channels)) {
            unsubscribe(c, k, false);
        }
        for (Key k : List.copyOf(c.patterns)) {
            unsubscribe(c, k, true);
        }
    }

    /**
     * Sends a message to the channel's subscribers and to those of every matching pattern.
     *
     * @param publisher the publishing call: a subscriber that is the publisher itself (RESP3) gets the message
     *                  in its reply stream before PUBLISH's own reply, as in Redis.
     * @return how many subscriptions received it.
     */
    long publish(Call publisher, byte[] channel, byte[] message) {
        long receivers = 0;
        Set<Client> direct = channels.get(new Key(channel));
        if (direct != null) {
            Frames frames = new Frames(List.of("message".getBytes(StandardCharsets.US_ASCII), channel, message));
            for (Client c : direct) {
                send(publisher, c, frames);
                receivers++;
            }
        }
        for (Map.Entry<Key, Set<Client>> p : patterns.entrySet()) {
            if (!Glob.matches(p.getKey().bytes, channel)) {
                continue;
            }
            Frames frames = new Frames(List.of("pmessage".getBytes(StandardCharsets.US_ASCII), p.getKey().bytes,
                    channel, message));
            for (Client c : p.getValue()) {
                send(publisher, c, frames);
                receivers++;
            }
        }
        return receivers;
    }

    private static void send(Call publisher, Client c, Frames frames) {
        byte[] frame = frames.of(c.reply.resp3());
        if (c == publisher.client) {
            publisher.reply.encoded(frame);
        } else {
            c.mailbox.deliver(c, frame, false);
        }
    }

    /** Channels with subscribers whose names match {@code pattern} (null: all). */
    List<byte[]> channels(byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        for (Key k : channels.keySet()) {
            if (pattern == null || Glob.matches(pattern, k.bytes)) {
                out.add(k.bytes);
            }
        }
        return out;
    }

    int subscribers(byte[] channel) {
        Set<Client> s = channels.get(new Key(channel));
        return s == null ? 0 : s.size();
    }

    /** A message's push frame, encoded at most once for each protocol. */
    private static final class Frames {
        private final List<byte[]> parts;
        private byte[] resp2;
        private byte[] resp3;

        Frames(List<byte[]> parts) {
            this.parts = parts;
        }

        byte[] of(boolean three) {
            if (three) {
                return resp3 != null ? resp3 : (resp3 = encode(true));
            }
            return resp2 != null ? resp2 : (resp2 = encode(false));
        }

        private byte[] encode(boolean three) {
            Reply r = new Reply(three);
            r.push(parts.size());
            parts.forEach(r::bulk);
            return r.drain();
        }
    }
}
