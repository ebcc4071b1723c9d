package io.ipc4j.cli.demo.mistakes;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One of the textbook's common IPC mistakes, shown going wrong and then done right, with measured evidence. */
interface Mistake {
    /** Short name for {@code ipc4j demo mistakes NAME}. */
    String name();

    String title();

    /** One paragraph: what goes wrong and why. */
    String explanation();

    /** Runs both parts; every wait is bounded. */
    Outcome run() throws IOException, InterruptedException;

    /**
     * What each part showed: ordered fields, printed as "key: value" and written as JSON.
     *
     * @param wrong the mistake made.
     * @param right the mistake avoided.
     */
    record Outcome(Map<String, Object> wrong, Map<String, Object> right) {
        static Outcome of() {
            return new Outcome(new LinkedHashMap<>(), new LinkedHashMap<>());
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
