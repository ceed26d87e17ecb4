package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StampTest {

    @Test
    void aPayloadCarriesItsStampAndHasTheSizeAsked() {
        byte[] p = Stamp.payload(256, 123_456_789_012L, 7, 42);
        assertThat(p).hasSize(256);
        assertThat(Stamp.of(p)).isEqualTo(new Stamp(123_456_789_012L, 7, 42));
    }

    @Test
    void theSmallestPayloadIsTheStampAlone() {
        assertThat(Stamp.of(Stamp.payload(Stamp.BYTES, -1, 0, Integer.MAX_VALUE)))
                .isEqualTo(new Stamp(-1, 0, Integer.MAX_VALUE));
    }

    @Test
    void aWarmUpMessageIsOfKindOneAndAMeasuredOneOfKindZero() {
        assertThat(new Stamp(0, 7 | Stamp.WARMUP, 1).kind()).isEqualTo(1);
        assertThat(new Stamp(0, 7, 1).kind()).isZero();
        assertThat(new Stamp(0, Integer.MAX_VALUE, 1).kind()).isEqualTo(1);
        assertThat(new Stamp(0, Stamp.WARMUP - 1, 1).kind()).isZero();
    }
}
