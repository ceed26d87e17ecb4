package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ChangedRuns")
class ChangedRunsTest {

    private static final int PAGE = PageCache.PAGE;

    private static byte[] applied(byte[] base, List<RedoJournal.Write> writes) {
        byte[] out = base.clone();
        for (RedoJournal.Write w : writes) {
            System.arraycopy(w.data(), 0, out, (int) w.offset(), w.data().length);
        }
        return out;
    }

    /** The runs of each page of {@code before} and {@code after}, in order, joined. */
    private static List<RedoJournal.Write> runs(byte[] before, byte[] after) {
        List<RedoJournal.Write> runs = new ArrayList<>();
        for (int at = 0; at < after.length; at += PAGE) {
            byte[] b = java.util.Arrays.copyOfRange(before, at, at + PAGE);
            byte[] a = java.util.Arrays.copyOfRange(after, at, at + PAGE);
            ChangedRuns.diff(at, b, a, runs);
        }
        return ChangedRuns.joined(runs);
    }

    @Test
    @DisplayName("a page that changed in two places nearby and one far yields two runs; equal bytes nearby are joined")
    void onlyChangedWords() {
        byte[] before = new byte[PAGE];
        new SplittableRandom(1).nextBytes(before);
        byte[] after = before.clone();
        after[100] ^= 1;
        after[107] ^= 1;
        after[3000] ^= 1;
        List<RedoJournal.Write> runs = new ArrayList<>();
        ChangedRuns.diff(8 * PAGE, before, after, runs);
        assertThat(runs).extracting(RedoJournal.Write::offset).containsExactly(8L * PAGE + 100, 8L * PAGE + 3000);
        assertThat(runs).extracting(w -> w.data().length).containsExactly(8, 1);
    }

    @Test
    @DisplayName("a page new to the file (zeros before) yields one run, from its first byte not zero to its last")
    void newPage() {
        byte[] after = new byte[PAGE];
        after[10] = 1;
        after[2000] = 0; // zeros inside the run are kept
        after[3000] = 7;
        List<RedoJournal.Write> runs = new ArrayList<>();
        ChangedRuns.diff(PAGE, new byte[PAGE], after, runs);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).offset()).isEqualTo(PAGE + 10);
        assertThat(runs.get(0).data()).hasSize(2991);
        runs.clear();
        ChangedRuns.diff(PAGE, new byte[PAGE], new byte[PAGE], runs);
        assertThat(runs).as("zeros over zeros").isEmpty();
    }

    @Test
    @DisplayName("an unchanged page yields nothing")
    void unchanged() {
        byte[] page = new byte[PAGE];
        new SplittableRandom(3).nextBytes(page);
        List<RedoJournal.Write> runs = new ArrayList<>();
        ChangedRuns.diff(0, page, page.clone(), runs);
        assertThat(runs).isEmpty();
    }

    @Test
    @DisplayName("runs that meet across page boundaries are joined into one, of the pages' bytes")
    void joinedAcrossPages() {
        byte[] before = new byte[3 * PAGE];
        byte[] after = before.clone();
        new SplittableRandom(4).nextBytes(after);
        after[0] = 0; // the first run starts at 1
        List<RedoJournal.Write> runs = runs(before, after);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).offset()).isEqualTo(1);
        assertThat(applied(before, runs)).isEqualTo(after);
    }

    @Test
    @DisplayName("random changes: applying the runs to the old content gives the new one; runs are in order and apart")
    void randomChanges() {
        SplittableRandom random = new SplittableRandom(2);
        for (int round = 0; round < 300; round++) {
            byte[] before = new byte[4 * PAGE];
            random.nextBytes(before);
            byte[] after = before.clone();
            for (int i = 0, n = 1 + random.nextInt(30); i < n; i++) {
                int at = random.nextInt(after.length);
                int len = Math.min(after.length - at, random.nextInt(300));
                for (int k = 0; k < len; k++) {
                    if (random.nextInt(3) == 0) {
                        after[at + k] = (byte) random.nextInt();
                    }
                }
            }
            List<RedoJournal.Write> runs = runs(before, after);
            assertThat(applied(before, runs)).as("round %d", round).isEqualTo(after);
            long end = -1;
            for (RedoJournal.Write w : runs) {
                assertThat(w.offset()).as("in order, apart").isGreaterThan(end);
                end = w.offset() + w.data().length;
            }
        }
    }
}
