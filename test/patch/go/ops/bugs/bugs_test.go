package bugs

import (
	"context"
	"testing"
)

func TestRegister(t *testing.T) { NewRegistry("r").Register("a") }

func TestHit(t *testing.T) { Hit("/") }

func TestTotalNil(t *testing.T) {
	if _, err := Total(nil); err == nil {
		t.Fatal("want an error for a nil order")
	}
}

func TestSecondShort(t *testing.T) {
	if _, err := Second([]string{"a"}); err == nil {
		t.Fatal("want an error")
	}
}

func TestHeadShort(t *testing.T) { Head("ab", 5) }

func TestAverageEmpty(t *testing.T) { Average(3, 0) }

func TestNameNotStringer(t *testing.T) { Name(3) }

func TestLengthNotString(t *testing.T) {
	if _, err := Length(3); err == nil {
		t.Fatal("want an error")
	}
}

func TestStopTwice(t *testing.T) {
	w := NewWorker()
	w.Stop()
	w.Stop()
}

func TestFeedCancel(t *testing.T) { NewFeed(2).Cancel() }

func TestFirstResultCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	release := make(chan struct{})
	if _, err := FirstResult(ctx, func() int { <-release; return 1 }); err == nil {
		t.Fatal("want ctx.Err()")
	}
	close(release)
}

func TestSpawnPanics(t *testing.T) {
	done := make(chan struct{})
	Spawn(func() { panic("boom") }, done)
	<-done
}

func TestStats(t *testing.T) {
	s := NewStats()
	s.Add("a")
	if s.Get("a") != 1 {
		t.Fatal("count")
	}
}

func TestCacheBounded(t *testing.T) {
	c := NewCache()
	for i := 0; i < 20; i++ {
		c.Put(string(rune('a'+i)), nil)
	}
	if n, m := c.Len(); n > 20 || m > 20 {
		t.Fatal(n, m)
	}
}

func TestGrüße(t *testing.T) { Grüße(nil) }

func TestLedger(t *testing.T) {
	l := NewLedger()
	if l.Deposit("a", 50) != 50 || !l.Apply("a", 20) || l.Apply("a", 200) || l.Report("a") != 30 {
		t.Fatal("ledger")
	}
}

func TestHandleReleases(t *testing.T) {
	p := NewPool()
	_ = Handle(p, true)
	_ = Handle(p, false)
	if p.Len() != 0 {
		t.Fatalf("%d slots still held", p.Len())
	}
}

func TestCardWithoutProfile(t *testing.T) {
	var out []string
	Describe(User{Name: "a"}, &out)
	if c := CardOf(User{Name: "a"}); c.Name != "a" || len(out) != 1 {
		t.Fatal(c, out)
	}
}

func TestFirstTwo(t *testing.T) {
	if got := FirstTwo(); len(got) != 2 {
		t.Fatal(got)
	}
}

func TestEncodeUnknown(t *testing.T) {
	if _, err := Encode("zstd"); err == nil {
		t.Fatal("want an error for an unknown codec")
	}
}
