package io.ipc4j;

/**
 * What a failed C call's exception carries, and its one message format: {@code call(object) failed: ENAME
 * (text)[: advice]}. Shared by ipc4j's exception types, each of which extends the JDK type that fits.
 */
record PosixErrorDetails(String call, String object, int errno, String errnoName, String errnoText, String message)
        implements PosixError {
    static PosixErrorDetails of(String call, String object, int errno, String errnoName, String errnoText,
                                String advice) {
        return new PosixErrorDetails(call, object, errno, errnoName, errnoText,
                message(call, object, errnoName, errnoText, advice));
    }

    static String message(String call, String object, String errnoName, String errnoText, String advice) {
        String message = call + "(" + object + ") failed: " + errnoName + " (" + errnoText + ")";
        return advice == null ? message : message + ": " + advice;
    }

    /** PosixError answered from the details, so each exception type is its constructor and getMessage. */
    interface Carrier extends PosixError {
        /** The call, object and errno, as a value. */
        PosixError details();

        @Override
        default String call() {
            return details().call();
        }

        @Override
        default String object() {
            return details().object();
        }

        @Override
        default int errno() {
            return details().errno();
        }

        @Override
        default String errnoName() {
            return details().errnoName();
        }

        @Override
        default String errnoText() {
            return details().errnoText();
        }
    }
}
