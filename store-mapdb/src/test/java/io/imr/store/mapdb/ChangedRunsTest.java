package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ChangedRuns")
class ChangedRunsTest {

    /** A file of {@code length} bytes given as an array; reads past its end return fewer bytes. */
    private static ChangedRuns.Committed file(byte[] bytes) {
        return (offset, out) -> {
            int n = (int) Math.max(0, Math.min(out.length, bytes.length - offset));
            if (n > 0) {
                System.arraycopy(bytes, (int) offset, out, 0, n);
            }
            return n;
        };
    }

    private static byte[] applied(byte[] base, int length, List<RedoJournal.Write> writes) {
        byte[] out = new byte[length];
        System.arraycopy(base, 0, out, 0, Math.min(base.length, length));
        for (RedoJournal.Write w : writes) {
            System.arraycopy(w.data(), 0, out, (int) w.offset(), w.data().length);
        }
        return out;
    }

    @Test
    @DisplayName("a rewrite of a region that changes two words yields those words only; equal bytes nearby are joined")
    void onlyChangedWords() {
        byte[] file = new byte[32_864];
        new SplittableRandom(1).nextBytes(file);
        byte[] head = file.clone();
        head[100] ^= 1;
        head[107] ^= 1;
        head[20_000] ^= 1;
        List<RedoJournal.Write> runs = ChangedRuns.of(List.of(new RedoJournal.Write(0, head)), file(file));
        assertThat(runs).extracting(RedoJournal.Write::offset).containsExactly(100L, 20_000L);
        assertThat(runs).extracting(w -> w.data().length).containsExactly(8, 1);
    }

    @Test
    @DisplayName("a write equal to the file yields nothing; bytes past the file's end always count as changed")
    void equalAndPastTheEnd() {
        byte[] file = new byte[100];
        assertThat(ChangedRuns.of(List.of(new RedoJournal.Write(10, new byte[50])), file(file))).isEmpty();
        List<RedoJournal.Write> runs = ChangedRuns.of(List.of(new RedoJournal.Write(90, new byte[30])), file(file));
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).offset()).isEqualTo(100);
        assertThat(runs.get(0).data()).hasSize(20);
    }

    @Test
    @DisplayName("random overlapping writes: applying the runs to the file gives what applying the writes in order gives")
    void randomWrites() {
        SplittableRandom random = new SplittableRandom(2);
        for (int round = 0; round < 300; round++) {
            byte[] file = new byte[2000];
            random.nextBytes(file);
            List<RedoJournal.Write> writes = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(30); i < n; i++) {
                int at = random.nextInt(2400);
                byte[] data = new byte[random.nextInt(200)];
                // Some bytes equal to the file's, some not.
                for (int k = 0; k < data.length; k++) {
                    data[k] = at + k < file.length && random.nextInt(3) > 0 ? file[at + k] : (byte) random.nextInt();
                }
                writes.add(new RedoJournal.Write(at, data));
            }
            int length = 2600;
            byte[] expected = applied(file, length, writes);
            List<RedoJournal.Write> runs = ChangedRuns.of(writes, file(file));
            assertThat(applied(file, length, runs)).as("round %d", round).isEqualTo(expected);
            long last = -1;
            for (RedoJournal.Write w : runs) {
                assertThat(w.offset()).as("in order, not overlapping").isGreaterThan(last);
                last = w.offset() + w.data().length - 1;
            }
        }
    }
}
