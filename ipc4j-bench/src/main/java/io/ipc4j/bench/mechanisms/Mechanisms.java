package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Mechanism;

import java.util.List;
import java.util.Optional;

/** Every mechanism the bench knows, in the order the textbook introduces them. */
public final class Mechanisms {
    private static final List<Mechanism> ALL = List.of(
            new PipeMechanism(),
            new FifoMechanism(),
            new PosixMqMechanism(),
            new SysVMqMechanism(),
            new UnixStreamMechanism(),
            new JdkUnixStreamMechanism(),
            new UnixDatagramMechanism(),
            new UnixSeqpacketMechanism(),
            new TcpMechanism(),
            new JdkTcpMechanism(),
            new UdpMechanism(),
            new JdkUdpMechanism(),
            new ChannelMechanism(ChannelMechanism.Waiting.BUSY_SPIN),
            new ChannelMechanism(ChannelMechanism.Waiting.SPIN_PARK),
            new ChannelDoorbellMechanism(),
            new AgronaMechanism(),
            new AeronMechanism(),
            new FutexMechanism(),
            new SpinMechanism(),
            new PosixSemMechanism(),
            new SysVSemMechanism(),
            new SignalMechanism(),
            new EventFdMechanism());

    private Mechanisms() {
    }

    public static List<Mechanism> all() {
        return ALL;
    }

    public static Optional<Mechanism> byId(String id) {
        return ALL.stream().filter(m -> m.id().equals(id)).findFirst();
    }
}
