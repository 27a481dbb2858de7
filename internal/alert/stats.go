package alert

import "math"

// The tail probabilities the statistical rules use. They are computed in
// closed form through the regularised incomplete gamma and beta functions
// (continued fractions, as in Numerical Recipes), so that probabilities as
// small as 1e-15 stay accurate: summing a pmf up to k and taking 1 minus
// it would lose them.

// PoissonTail returns P(X >= k) for X ~ Poisson(mu).
func PoissonTail(k int, mu float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	return gammaP(float64(k), mu)
}

// NegBinomialTail returns P(X >= k) for a negative binomial X with mean mu
// and shape r (variance mu + mu²/r). A very large r is a Poisson.
func NegBinomialTail(k int, mu, r float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	if r <= 0 || math.IsInf(r, 1) || r > 1e8 {
		return PoissonTail(k, mu)
	}
	// X counts failures before the r-th success with success probability
	// p = r/(r+mu): P(X >= k) = I_{1-p}(k, r).
	return betaI(float64(k), r, mu/(r+mu))
}

// BetaBinomialTail returns P(X >= k) for X ~ BetaBinomial(n, a, b): k
// successes in n trials whose probability is Beta(a, b).
func BetaBinomialTail(k, n int, a, b float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	lbeta := func(x, y float64) float64 { return lgamma(x) + lgamma(y) - lgamma(x+y) }
	base := lbeta(a, b)
	lchoose := func(n, j int) float64 { return lgamma(float64(n+1)) - lgamma(float64(j+1)) - lgamma(float64(n-j+1)) }
	sum := 0.0
	for j := k; j <= n; j++ {
		t := math.Exp(lchoose(n, j) + lbeta(float64(j)+a, float64(n-j)+b) - base)
		sum += t
		if t < sum*1e-15 && float64(j) > float64(n)*a/(a+b) {
			break
		}
	}
	return math.Min(sum, 1)
}

// NormalTail returns P(Z >= z) for a standard normal Z.
func NormalTail(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// gammaP is the regularised lower incomplete gamma function P(a, x).
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x < a+1 {
		return gammaSeries(a, x)
	}
	return 1 - gammaCF(a, x)
}

func gammaSeries(a, x float64) float64 {
	ap, sum := a, 1/a
	del := sum
	for range 10000 {
		ap++
		del *= x / ap
		sum += del
		if math.Abs(del) < math.Abs(sum)*1e-16 {
			break
		}
	}
	return sum * math.Exp(-x+a*math.Log(x)-lgamma(a))
}

// gammaCF is Q(a, x) = 1 - P(a, x) by Lentz's continued fraction.
func gammaCF(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lgamma(a)) * h
}

// betaI is the regularised incomplete beta function I_x(a, b).
func betaI(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	lbt := lgamma(a+b) - lgamma(a) - lgamma(b) + a*math.Log(x) + b*math.Log1p(-x)
	if x < (a+1)/(a+b+2) {
		return math.Exp(lbt) * betaCF(a, b, x) / a
	}
	return 1 - math.Exp(lbt)*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m < 10000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h
}
