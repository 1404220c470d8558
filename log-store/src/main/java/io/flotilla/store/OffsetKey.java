package io.flotilla.store;

/** The decoded key of a committed offset. */
record OffsetKey(String group, String topic, int partition) {

    TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    @Override
    public String toString() {
        return "group '" + group + "' topic '" + topic + "' partition " + partition;
    }
}
