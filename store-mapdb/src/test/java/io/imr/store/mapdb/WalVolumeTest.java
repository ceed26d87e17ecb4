package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MapDB's write-ahead log in recycled slices: reads what was written, across slices too; a recycled slice is all zeros. */
@DisplayName("The write-ahead log's memory volume")
class WalVolumeTest {

    private static final int SLICE = 1 << WalVolume.SLICE_SHIFT;

    @Test
    @DisplayName("reads back what was written, within and across slices")
    void roundTrips() throws java.io.IOException {
        WalVolume v = new WalVolume(new WalVolume.Slices(4));
        v.ensureAvailable(3L * SLICE);
        byte[] data = new byte[300];
        new SplittableRandom(7).nextBytes(data);
        long across = SLICE - 100;
        v.putDataOverlap(across, data, 0, data.length);
        byte[] back = new byte[data.length];
        v.getData(across, back, 0, back.length);
        assertThat(back).isEqualTo(data);
        byte[] viaInput = new byte[data.length];
        v.getDataInputOverlap(across, data.length).readFully(viaInput);
        assertThat(viaInput).isEqualTo(data);
        v.putLong(2L * SLICE + 8, 0x0102030405060708L);
        v.putInt(16, 0x0A0B0C0D);
        v.putByte(20, (byte) 9);
        assertThat(v.getLong(2L * SLICE + 8)).isEqualTo(0x0102030405060708L);
        assertThat(v.getInt(16)).isEqualTo(0x0A0B0C0D);
        assertThat(v.getByte(20)).isEqualTo((byte) 9);
        assertThat(v.length()).isEqualTo(3L * SLICE);
        WalVolume copy = new WalVolume(new WalVolume.Slices(4));
        copy.ensureAvailable(3L * SLICE);
        v.copyTo(across, copy, 5, data.length);
        byte[] copied = new byte[data.length];
        copy.getData(5, copied, 0, copied.length);
        assertThat(copied).isEqualTo(data);
    }

    @Test
    @DisplayName("closing gives the slices back zeroed, and the next volume takes them instead of allocating")
    void recyclesZeroedSlices() {
        WalVolume.Slices pool = new WalVolume.Slices(4);
        WalVolume first = new WalVolume(pool);
        first.ensureAvailable(2L * SLICE);
        byte[] ones = new byte[1000];
        java.util.Arrays.fill(ones, (byte) 1);
        first.putDataOverlap(SLICE - 500, ones, 0, ones.length);
        first.putLong(SLICE * 2L - 8, -1L);
        first.close();
        assertThat(pool.size()).isEqualTo(2);
        WalVolume second = new WalVolume(pool);
        second.ensureAvailable(2L * SLICE);
        assertThat(pool.size()).as("both slices reused").isZero();
        byte[] all = new byte[2 * SLICE];
        second.getData(0, all, 0, all.length);
        for (byte b : all) {
            assertThat(b).isZero();
        }
    }

    @Test
    @DisplayName("the pool keeps at most its limit")
    void boundedPool() {
        WalVolume.Slices pool = new WalVolume.Slices(2);
        WalVolume v = new WalVolume(pool);
        v.ensureAvailable(5L * SLICE);
        v.close();
        assertThat(pool.size()).isEqualTo(2);
    }
}
