package io.ipc4j.kv;

/** Redis's CRC-64 (Jones polynomial, reflected, no final xor), the checksum at the end of an RDB file. */
final class Crc64 {
    private static final long POLY = 0x95AC9329AC4BC9B5L; // 0xad93d23594c935a9 reflected
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private Crc64() {
    }

    /** The checksum of {@code b[from..to)}. */
    static long of(byte[] b, int from, int to) {
        return update(0, b, from, to);
    }

    /** {@code crc} continued over {@code b[from..to)}. */
    static long update(long crc, byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            crc = TABLE[(int) ((crc ^ b[i]) & 0xFF)] ^ (crc >>> 8);
        }
        return crc;
    }
}
