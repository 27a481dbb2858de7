package learn

import (
	"math"
	"testing"
)

func TestHalf(t *testing.T) {
	for _, tc := range []struct {
		in   float32
		want uint16
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {1e6, 0x7bff}, {-1e6, 0xfbff},
		{float32(math.Pow(2, -14)), 0x0400}, {float32(math.Pow(2, -24)), 0x0001}, {1e-9, 0},
		{0.1, 0x2e66}, {1.0009765625, 0x3c01}, {1.00048828125, 0x3c00} /* tie to even */, {1.00146484375, 0x3c02},
	} {
		if got := toHalf(tc.in); got != tc.want {
			t.Errorf("toHalf(%v) = %#04x, want %#04x", tc.in, got, tc.want)
		}
	}
	// Every finite half value survives the round trip.
	for h := range uint32(0x10000) {
		if (h>>10)&0x1f == 31 {
			continue
		}
		f := fromHalf(uint16(h))
		if back := toHalf(f); back != uint16(h) && !(f == 0 && back&0x7fff == 0) {
			t.Fatalf("%#04x → %v → %#04x", h, f, back)
		}
	}
	// Relative error stays under 2^-11 in the normal range.
	for _, f := range []float32{0.001234, 0.5, 3.14159, 123.456, -7.77} {
		if r := math.Abs(float64(roundHalf(f)-f) / float64(f)); r > 1.0/2048 {
			t.Errorf("roundHalf(%v) = %v: relative error %v", f, roundHalf(f), r)
		}
	}
}
