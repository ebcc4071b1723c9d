package io.ipc4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j demo mistakes --json}: all six run across real processes and their evidence holds. */
class MistakesDemoTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void everyMistakeShowsItsEvidence() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "mistakes", "--json").run(Duration.ofMinutes(3));
        assertEquals(0, result.status().code(), result.describe());
        JsonArray all = JsonParser.parseString(result.stdout()).getAsJsonArray();
        assertEquals(6, all.size());

        JsonObject timeouts = all.get(0).getAsJsonObject();
        assertTrue(text(timeouts, "wrong", "result").startsWith("open(2) still blocked after "), timeouts.toString());
        assertTrue(text(timeouts, "right", "result").startsWith("IpcTimeoutException after "), timeouts.toString());
        assertTrue(text(timeouts, "right", "diagnosis").contains("killed by SIGKILL"), timeouts.toString());

        JsonObject ends = all.get(1).getAsJsonObject();
        assertTrue(text(ends, "wrong", "reader").startsWith("wc still waiting "), ends.toString());
        assertTrue(text(ends, "right", "reader").startsWith("wc saw end of stream and printed 5 (bytes)"),
                ends.toString());

        JsonObject ordering = all.get(2).getAsJsonObject();
        assertEquals("D(prio 9) B(prio 5) E(prio 5) A(prio 1) C(prio 1)", text(ordering, "right", "POSIX, kernel order"));
        assertEquals("type 2 -> c(2), type -2 -> b(1), type -2 -> d(1), type 0 -> a(3)",
                text(ordering, "right", "System V, by selector"));

        JsonObject shm = all.get(3).getAsJsonObject();
        assertEquals(400_000, shm.getAsJsonObject("right").get("total with a POSIX semaphore").getAsLong());
        assertEquals(400_000, shm.getAsJsonObject("right").get("total with a robust mutex").getAsLong());
        assertEquals(400_000, shm.getAsJsonObject("right").get("total with an atomic add").getAsLong());
        long lost = shm.getAsJsonObject("wrong").get("lost updates").getAsLong();
        assertEquals(400_000 - lost, shm.getAsJsonObject("wrong").get("total").getAsLong());
        assertTrue(lost > 0, "the claim: without synchronisation updates are lost; " + shm);

        // the claim: TCP runs the network stack for every message, which a Unix socket does not (the demo's
        // timings show what that costs; a test asserts the kernel's counts, which do not vary with the machine)
        JsonObject tcp = all.get(4).getAsJsonObject();
        long tcpSegments = tcp.getAsJsonObject("wrong").get("TCP segments sent during the TCP run").getAsLong();
        long unixSegments = tcp.getAsJsonObject("right").get("TCP segments sent during the Unix socket run")
                .getAsLong();
        assertTrue(tcpSegments >= 2 * 3_000, "each of the 3,000 round trips sends two messages, each at least one "
                + "segment: " + tcp);
        assertTrue(unixSegments < tcpSegments / 10, "a Unix socket sends no TCP segment (others' traffic aside): "
                + tcp);

        JsonObject cleanup = all.get(5).getAsJsonObject();
        assertEquals(4, cleanup.getAsJsonObject("wrong").getAsJsonArray("left behind").size(), cleanup.toString());
        assertEquals(4, cleanup.getAsJsonObject("right").getAsJsonArray("removed").size(), cleanup.toString());
        assertEquals(0, cleanup.getAsJsonObject("right").get("left after clean-up").getAsInt());
    }

    @Test
    void oneMistakeByNameAndAnUnknownName() throws Exception {
        ChildJvm.Result one = ChildJvm.of(Ipc4j.class, "demo", "mistakes", "ordering").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, one.status().code(), one.describe());
        assertTrue(one.stdout().contains("== 3. Ordering across priorities =="), one.stdout());
        assertTrue(!one.stdout().contains("== 1."), one.stdout());
        ChildJvm.Result bad = ChildJvm.of(Ipc4j.class, "demo", "mistakes", "goto").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(1, bad.status().code());
        assertEquals("ipc4j: no mistake 'goto': choose from timeouts, pipe-ends, ordering, shared-memory, tcp, cleanup",
                bad.stderr().strip());
    }

    private static String text(JsonObject mistake, String part, String key) {
        return mistake.getAsJsonObject(part).get(key).getAsString();
    }
}
