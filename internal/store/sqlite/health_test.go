package sqlite

import "testing"

// BenchmarkFileCheck measures the check that the group commit adds to every
// batch: one stat of the database path (health.go).
func BenchmarkFileCheck(b *testing.B) {
	s, _ := openTestStore(b)
	for b.Loop() {
		if err := s.checkFile(); err != nil {
			b.Fatal(err)
		}
	}
}
