package io.flotilla.log.record;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

class RecordBatchTest {
    private static ByteBuffer utf8(String s) {
        return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ByteBuffer threeRecordBatch() {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, 100, 7, 5_000).producer(42L, (short) 3, 17);
        assertTrue(builder.tryAppend(5_000, utf8("k1"), utf8("v1")));
        assertTrue(builder.tryAppend(5_010, null, utf8("v2"), List.of(new RecordHeader("trace", utf8("abc")),
                new RecordHeader("empty", null))));
        assertTrue(builder.tryAppend(5_003, utf8("k3"), null));
        builder.finish();
        return buf.flip();
    }

    @Test
    void headerFieldsRoundTrip() {
        ByteBuffer buf = threeRecordBatch();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        batch.validate(buf.remaining(), 1 << 20);
        assertEquals(100, batch.baseOffset());
        assertEquals(102, batch.lastOffset());
        assertEquals(103, batch.nextOffset());
        assertEquals(7, batch.term());
        assertEquals(3, batch.recordCount());
        assertEquals(5_000, batch.firstTimestamp());
        assertEquals(5_010, batch.maxTimestamp());
        assertEquals(42L, batch.producerId());
        assertEquals(3, batch.producerEpoch());
        assertEquals(17, batch.baseSequence());
        assertEquals(CompressionCodec.NONE, batch.codec());
        assertFalse(batch.isControl());
        assertEquals(buf.remaining(), batch.sizeInBytes());
    }

    @Test
    void recordsRoundTripThroughTheCursor() {
        ByteBuffer buf = threeRecordBatch();
        RecordCursor cursor = new RecordCursor().reset(new RecordBatch().wrap(buf, 0));
        assertTrue(cursor.next());
        assertEquals(100, cursor.offset());
        assertEquals(5_000, cursor.timestamp());
        assertEquals("k1", string(cursor.key()));
        assertEquals("v1", string(cursor.value()));
        assertTrue(cursor.headers().isEmpty());
        assertTrue(cursor.next());
        assertEquals(101, cursor.offset());
        assertNull(cursor.key());
        assertEquals(-1, cursor.keyLength());
        List<RecordHeader> headers = cursor.headers();
        assertEquals(2, headers.size());
        assertEquals("trace", headers.get(0).key());
        assertEquals("abc", string(headers.get(0).value()));
        assertNull(headers.get(1).value());
        assertTrue(cursor.next());
        assertEquals(5_003, cursor.timestamp());
        assertNull(cursor.value());
        assertFalse(cursor.next());
    }

    @Test
    void stampingOffsetAndTermKeepsTheBatchValid() {
        ByteBuffer buf = threeRecordBatch();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        int before = batch.storedCrc();
        batch.assignOffsetAndTerm(9_000, 12);
        assertEquals(9_000, batch.baseOffset());
        assertEquals(12, batch.term());
        assertTrue(batch.isCrcValid());
        assertTrue(before != batch.storedCrc(), "the CRC covers offset and term");
        batch.validate(buf.remaining(), 1 << 20);
    }

    @Test
    void everyFlippedBitFailsTheCrc() {
        ByteBuffer buf = threeRecordBatch();
        for (int i = 0; i < buf.remaining(); i++) {
            if (i >= RecordBatch.CRC_OFFSET && i < RecordBatch.CRC_OFFSET + 4) {
                continue;
            }
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer copy = ByteBuffer.allocate(buf.remaining()).put(buf.duplicate()).flip();
                copy.put(i, (byte) (copy.get(i) ^ (1 << bit)));
                assertFalse(new RecordBatch().wrap(copy, 0).isCrcValid(), "flip of bit " + bit + " at byte " + i);
            }
        }
    }

    @Test
    void malformedBatchesAreRefusedWithTheFieldNamed() {
        assertRefused(b -> b.put(RecordBatch.MAGIC_OFFSET, (byte) 2), "format version (magic) is 2");
        assertRefused(b -> b.putInt(RecordBatch.LENGTH_OFFSET, 10), "length field is 10");
        assertRefused(b -> b.putInt(RecordBatch.LENGTH_OFFSET, b.remaining() + 1), "bytes are present");
        assertRefused(b -> b.putInt(RecordBatch.RECORD_COUNT_OFFSET, 0), "record count is 0");
        assertRefused(b -> b.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) 0x0100), "bits this version does not know");
        assertRefused(b -> b.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) 3), "codec id 3 is not supported");
        assertRefused(b -> b.putLong(RecordBatch.BASE_OFFSET_OFFSET, -5), "base offset -5");
        assertRefused(b -> b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1)), "CRC32C mismatch");
        assertRefused(b -> {
            b.putInt(RecordBatch.RECORD_COUNT_OFFSET, 4);
            resign(b);
        }, "declares 4 records but holds 3");
        assertRefused(b -> {
            b.putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, 5_005);
            resign(b);
        }, "lies outside the batch's");
        ByteBuffer tooShort = ByteBuffer.allocate(RecordBatch.HEADER_BYTES - 1);
        MalformedBatchException e = assertThrows(MalformedBatchException.class,
                () -> new RecordBatch().wrap(tooShort, 0).validate(tooShort.remaining(), 1 << 20));
        assertTrue(e.getMessage().contains("shorter than its 61-byte header"), e.getMessage());
    }

    @Test
    void aBatchOverTheMaximumIsRefusedWithBothSizes() {
        ByteBuffer buf = threeRecordBatch();
        BatchTooLargeException e = assertThrows(BatchTooLargeException.class,
                () -> new RecordBatch().wrap(buf, 0).validate(buf.remaining(), 100));
        assertEquals(buf.remaining(), e.sizeBytes());
        assertEquals(100, e.maxBytes());
        assertTrue(e.getMessage().contains("exceeds the maximum of 100 bytes"), e.getMessage());
    }

    @Test
    void aRecordLengthThatOverrunsItsBatchIsRefused() {
        ByteBuffer buf = threeRecordBatch();
        buf.put(RecordBatch.HEADER_BYTES, (byte) 0x7E); // first record claims 63 body bytes
        resign(buf);
        MalformedBatchException e = assertThrows(MalformedBatchException.class,
                () -> new RecordBatch().wrap(buf, 0).validate(buf.remaining(), 1 << 20));
        assertTrue(e.getMessage().contains("record") , e.getMessage());
    }

    @Test
    void builderReportsARecordThatDoesNotFit() {
        ByteBuffer buf = ByteBuffer.allocate(RecordBatch.HEADER_BYTES + 40);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, 0, 1, 0);
        assertTrue(builder.tryAppend(0, null, utf8("0123456789")));
        int size = builder.sizeInBytes();
        assertFalse(builder.tryAppend(0, null, utf8("0123456789012345678901234567890123456789")));
        assertEquals(size, builder.sizeInBytes(), "a record that does not fit writes nothing");
        builder.finish();
        new RecordBatch().wrap(buf.flip(), 0).validate(buf.remaining(), 1 << 20);
    }

    @Test
    void controlBatchIsFlaggedAndHoldsExactlyOneRecord() {
        ByteBuffer ok = ByteBuffer.allocate(256);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(ok, 5, 2, 0).control();
        builder.tryAppend(0, null, null);
        builder.finish();
        RecordBatch control = new RecordBatch().wrap(ok.flip(), 0);
        control.validate(ok.remaining(), 1 << 20);
        assertTrue(control.isControl());

        ByteBuffer two = ByteBuffer.allocate(256);
        RecordBatchBuilder twoRecords = new RecordBatchBuilder().begin(two, 5, 2, 0).control();
        twoRecords.tryAppend(0, null, null);
        twoRecords.tryAppend(0, null, null);
        twoRecords.finish();
        MalformedBatchException e = assertThrows(MalformedBatchException.class,
                () -> new RecordBatch().wrap(two.flip(), 0).validate(two.remaining(), 1 << 20));
        assertTrue(e.getMessage().contains("control batch holds exactly one record"), e.getMessage());
    }

    /** Property: any list of records survives build, validate and decode unchanged. */
    @Test
    void arbitraryRecordsRoundTrip() {
        qt().withExamples(300)
                .forAll(lists().of(strings().basicLatinAlphabet().ofLengthBetween(0, 40)).ofSizeBetween(1, 30),
                        longs().between(0, Long.MAX_VALUE / 4), integers().between(0, 1_000_000))
                .checkAssert((values, firstTs, spread) -> {
                    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                    RecordBatchBuilder builder = new RecordBatchBuilder().begin(buf, 77, 3, firstTs);
                    List<Long> timestamps = new ArrayList<>();
                    for (int i = 0; i < values.size(); i++) {
                        long ts = firstTs + i * 7919L % (spread + 1);
                        timestamps.add(ts);
                        String key = i % 3 == 0 ? null : "key" + i;
                        assertTrue(builder.tryAppend(ts, utf8(key), utf8(values.get(i))));
                    }
                    builder.finish();
                    buf.flip();
                    RecordBatch batch = new RecordBatch().wrap(buf, 0);
                    batch.validate(buf.remaining(), 1 << 20);
                    RecordCursor cursor = new RecordCursor().reset(batch);
                    for (int i = 0; i < values.size(); i++) {
                        assertTrue(cursor.next());
                        assertEquals(77 + i, cursor.offset());
                        assertEquals(timestamps.get(i), cursor.timestamp());
                        assertEquals(i % 3 == 0 ? null : "key" + i, string(cursor.key()));
                        assertEquals(values.get(i), string(cursor.value()));
                    }
                    assertFalse(cursor.next());
                });
    }

    private interface Mutation {
        void apply(ByteBuffer batch);
    }

    private static void assertRefused(Mutation mutation, String messagePart) {
        ByteBuffer buf = threeRecordBatch();
        mutation.apply(buf);
        MalformedBatchException e = assertThrows(MalformedBatchException.class,
                () -> new RecordBatch().wrap(buf, 0).validate(buf.remaining(), 1 << 20));
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' lacks '" + messagePart + "'");
    }

    /** Recomputes the CRC so a test reaches the check after it. */
    private static void resign(ByteBuffer buf) {
        buf.putInt(RecordBatch.CRC_OFFSET, RecordBatch.computeCrc(buf, 0, buf.getInt(RecordBatch.LENGTH_OFFSET)));
    }
}
