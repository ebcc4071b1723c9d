package io.ipc4j.inspect;

import java.util.List;

/**
 * What IPC one process uses.
 *
 * @param pid         the process.
 * @param command     its command line.
 * @param descriptors its open descriptors, classified.
 * @param mappings    its shared mappings.
 * @param problem     why part of it could not be read (permission denied, it exited), or null.
 */
public record ProcessReport(int pid, String command, List<FdInfo> descriptors, List<MappingInfo> mappings,
                            String problem) {
}
