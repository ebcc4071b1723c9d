package io.ipc4j.kv;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** A kv server in a child JVM for each test, on a socket in the test's scratch directory, shut down after it. */
abstract class ServerPerTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    ChildJvm.Running server;
    Path socket;

    @BeforeEach
    void startServer() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        server = KvServerTest.startServer(socket);
    }

    @AfterEach
    void stopServer() throws Exception {
        KvServerTest.shutdown(socket, server);
    }
}
