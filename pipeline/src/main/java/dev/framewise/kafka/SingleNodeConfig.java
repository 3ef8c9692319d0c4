package dev.framewise.kafka;

import java.util.Map;

/**
 * Broker settings that make one node a complete cluster: the internal topics default to three
 * replicas (and two in sync) and would never be created on a single node, so consumer groups and
 * transactions would hang. Shared by the in-process and the separate-process broker.
 */
final class SingleNodeConfig {
    private SingleNodeConfig() {
    }

    static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("offsets.topic.replication.factor", "1"),
            // One partition instead of 50: a local broker serves a handful of groups, and creating
            // 50 partitions on first use delays the first consumer group and the first transaction.
            Map.entry("offsets.topic.num.partitions", "1"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "1"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            // Consumers of a fresh group start at once instead of after the default 3 s.
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            // A mistyped topic name fails instead of silently creating a new, empty topic.
            Map.entry("auto.create.topics.enable", "false"));
}
