package io.ipc4j.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** INFO's sections, with Redis 7.0's field names (those that mean something here). */
final class InfoSections {
    private InfoSections() {
    }

    static void append(Call c, String section, StringBuilder out) {
        KvServer s = c.server;
        Keyspace ks = c.keyspace();
        SnapshotWalk walk = s.rewriteWalk();
        switch (section) {
            case "server" -> {
                long uptime = (c.now - s.startedMillis) / 1000;
                out.append("# Server\r\nredis_version:").append(KvServer.VERSION)
                        .append("\r\nipc4j_kv_version:0.1.0\r\nredis_mode:standalone\r\nos:")
                        .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                        .append("\r\narch_bits:64\r\nmultiplexing_api:epoll\r\nprocess_id:")
                        .append(ProcessHandle.current().pid())
                        .append("\r\ntcp_port:").append(s.config.tcp() == null ? 0 : s.config.tcp().getPort())
                        .append("\r\nuptime_in_seconds:").append(uptime)
                        .append("\r\nuptime_in_days:").append(uptime / 86400)
                        .append("\r\nhz:10\r\nexecutable:java\r\nconfig_file:\r\n\r\n");
            }
            case "clients" -> out.append("# Clients\r\nconnected_clients:").append(s.clients().size())
                    .append("\r\nmaxclients:").append(s.settings.maxClients)
                    .append("\r\nblocked_clients:").append(s.blocking.blocked())
                    .append("\r\ntracking_clients:0\r\n\r\n");
            case "memory" -> {
                Runtime rt = Runtime.getRuntime();
                long heap = rt.totalMemory() - rt.freeMemory();
                out.append("# Memory\r\nused_memory:").append(ks.usedMemory)
                        .append("\r\nused_memory_human:").append(ServerCommands.human(ks.usedMemory))
                        .append("\r\nused_memory_dataset:").append(ks.usedMemory)
                        .append("\r\nused_memory_heap:").append(heap)
                        .append("\r\nused_memory_heap_committed:").append(rt.totalMemory())
                        .append("\r\nmaxmemory:").append(s.settings.maxMemory)
                        .append("\r\nmaxmemory_human:").append(ServerCommands.human(s.settings.maxMemory))
                        .append("\r\nmaxmemory_policy:").append(s.settings.policy)
                        .append("\r\nmem_allocator:jvm\r\n\r\n");
            }
            case "persistence" -> out.append("# Persistence\r\nloading:0\r\ncurrent_cow_size:")
                    .append(walk == null ? 0 : walk.preservedBytes())
                    .append("\r\ncurrent_save_keys_processed:").append(walk == null ? 0 : walk.processed())
                    .append("\r\ncurrent_save_keys_total:").append(walk == null ? 0 : walk.total())
                    .append("\r\nrdb_changes_since_last_save:").append(s.rdb.changesSinceSave())
                    .append("\r\nrdb_bgsave_in_progress:").append(s.rdb.inProgress() ? 1 : 0)
                    .append("\r\nrdb_last_save_time:").append(s.rdb.lastSaveMillis() / 1000)
                    .append("\r\nrdb_last_bgsave_status:").append(s.rdb.lastBackgroundStatus())
                    .append("\r\naof_enabled:").append(s.aofEnabled() ? 1 : 0)
                    .append("\r\naof_rewrite_in_progress:").append(s.aofRewriting() ? 1 : 0)
                    .append("\r\naof_last_bgrewrite_status:").append(s.aofRewriteStatus())
                    .append("\r\naof_rewrites:").append(s.aofRewrites())
                    .append("\r\naof_last_write_status:ok\r\n\r\n");
            case "stats" -> out.append("# Stats\r\ntotal_connections_received:").append(s.connectionsReceived.get())
                    .append("\r\ntotal_commands_processed:").append(s.commandsProcessed)
                    .append("\r\nrejected_connections:").append(s.rejectedConnections.get())
                    .append("\r\nexpired_keys:").append(ks.expiredKeys)
                    .append("\r\nevicted_keys:").append(s.memory.evictedKeys)
                    .append("\r\nkeyspace_hits:").append(ks.keyspaceHits)
                    .append("\r\nkeyspace_misses:").append(ks.keyspaceMisses)
                    .append("\r\npubsub_channels:").append(s.pubsub.channelCount())
                    .append("\r\npubsub_patterns:").append(s.pubsub.patternCount()).append("\r\n\r\n");
            case "replication" -> out.append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n");
            case "cpu" -> {
                double[] cpu = cpuSeconds();
                out.append("# CPU\r\nused_cpu_sys:").append(String.format(Locale.ROOT, "%.6f", cpu[1]))
                        .append("\r\nused_cpu_user:").append(String.format(Locale.ROOT, "%.6f", cpu[0]))
                        .append("\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n\r\n");
            }
            case "commandstats" -> {
                out.append("# Commandstats\r\n");
                for (Commands.Command cmd : Commands.all()) {
                    long[] st = cmd.stats();
                    if (st[0] == 0 && st[2] == 0) {
                        continue;
                    }
                    out.append("cmdstat_").append(cmd.name()).append(":calls=").append(st[0]).append(",usec=")
                            .append(st[1] / 1000).append(",usec_per_call=")
                            .append(String.format(Locale.ROOT, "%.2f", st[0] == 0 ? 0.0 : st[1] / 1000.0 / st[0]))
                            .append(",rejected_calls=").append(st[2]).append(",failed_calls=").append(st[3])
                            .append("\r\n");
                }
                out.append("\r\n");
            }
            case "keyspace" -> {
                out.append("# Keyspace\r\n");
                for (Database db : ks.databases) {
                    if (db.size() > 0) {
                        out.append("db").append(db.index).append(":keys=").append(db.size()).append(",expires=")
                                .append(db.expiring()).append(",avg_ttl=0\r\n");
                    }
                }
            }
            default -> throw new IllegalArgumentException(section);
        }
    }

    /** This process's user and system CPU seconds, from /proc/self/stat (clock ticks of 1/100 s). */
    private static double[] cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new double[] {Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
        } catch (IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }
}
