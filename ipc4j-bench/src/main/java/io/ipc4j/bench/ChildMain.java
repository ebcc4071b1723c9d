package io.ipc4j.bench;

import io.ipc4j.bench.mechanisms.Mechanisms;
import io.ipc4j.process.Affinity;

import java.util.List;

/**
 * The bench's child process: args are the mechanism id, the {@link Plan}, the CPU to pin to (-1: none) and
 * the mechanism's own arguments. It answers the parent's exchange, then exits 0.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        Mechanism mechanism = Mechanisms.byId(arguments.getFirst())
                .orElseThrow(() -> new IllegalArgumentException("unknown mechanism " + arguments.getFirst()));
        Plan plan = Plan.fromArguments(arguments.subList(1, 1 + Plan.ARGUMENTS));
        PeerWatch.haltWhenParentExits();
        int cpu = Integer.parseInt(arguments.get(1 + Plan.ARGUMENTS));
        if (cpu >= 0) {
            Affinity.pinCurrentThread(cpu);
        }
        try (Endpoint endpoint = mechanism.childEndpoint(arguments.subList(2 + Plan.ARGUMENTS, arguments.size()))) {
            for (int round = 0; round < plan.rounds(); round++) {
                for (int size : plan.sizes()) {
                    Exchange.child(endpoint, plan.round(round), size);
                }
            }
        }
    }
}
