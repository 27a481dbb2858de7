package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are SVG drawn on the server: no script, nothing to load, and
// they print. Every piece of text in them is escaped here, since they are
// handed to templates as template.HTML.

// Line is one line of a chart: Values are aligned with the chart's
// labels, NaN for a gap (no data in that period).
type Line struct {
	Name   string
	Class  string // colour class: line-neg, line-pos, line-rating, line-net
	Values []float64
	// Format writes a value for tooltips ("4.2", "35%").
	Format func(float64) string
}

// Chart is bars (volume, on their own scale) behind lines on a fixed
// scale (Min..Max, with Ticks labelled on the left).
type Chart struct {
	Title  string // for screen readers and the tooltip
	Labels []string
	// Bars are counts per label; BarName names them in tooltips.
	Bars    []float64
	BarName string
	Lines   []Line
	// Min and Max bound the lines' scale; Ticks are labelled values.
	Min, Max float64
	Ticks    []float64
	TickFmt  func(float64) string
	// Partial marks periods cut short (drawn lighter).
	Partial       []bool
	Width, Height int
	// Zero draws a reference line at this value of the lines' scale (for
	// net sentiment, 0); NaN for none.
	Zero float64
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// SVG renders the chart.
func (c Chart) SVG() template.HTML {
	w, h := c.Width, c.Height
	if w == 0 {
		w = 640
	}
	if h == 0 {
		h = 200
	}
	const left, right, top, bottom = 40.0, 36.0, 10.0, 24.0
	pw, ph := float64(w)-left-right, float64(h)-top-bottom
	n := len(c.Labels)
	points := 0
	for _, l := range c.Lines {
		for _, v := range l.Values {
			if !math.IsNaN(v) {
				points++
			}
		}
	}
	for _, v := range c.Bars {
		if v > 0 {
			points++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" data-points="%d" preserveAspectRatio="xMidYMid meet">`,
		w, h, html.EscapeString(c.Title), points)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="empty" text-anchor="middle">No data for this period</text></svg>`, w/2, h/2)
		return template.HTML(b.String())
	}
	step := pw / float64(n)
	x := func(i int) float64 { return left + step*(float64(i)+0.5) }
	span := c.Max - c.Min
	if span <= 0 {
		span = 1
	}
	y := func(v float64) float64 { return top + ph*(1-(v-c.Min)/span) }
	tickFmt := c.TickFmt
	if tickFmt == nil {
		tickFmt = num
	}
	// Grid and the lines' scale.
	for _, t := range c.Ticks {
		fmt.Fprintf(&b, `<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(left), num(left+pw), num(y(t)), num(y(t)))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, num(left-4), num(y(t)+4), html.EscapeString(tickFmt(t)))
	}
	if !math.IsNaN(c.Zero) && c.Zero > c.Min && c.Zero < c.Max {
		fmt.Fprintf(&b, `<line class="zero" x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(left), num(left+pw), num(y(c.Zero)), num(y(c.Zero)))
	}
	// Bars, scaled to their own maximum, labelled on the right.
	maxBar := 0.0
	for _, v := range c.Bars {
		maxBar = math.Max(maxBar, v)
	}
	if maxBar > 0 {
		bw := math.Max(1, step*0.7)
		for i, v := range c.Bars {
			if v <= 0 || i >= n {
				continue
			}
			bh := ph * v / maxBar
			cls := "bar"
			if i < len(c.Partial) && c.Partial[i] {
				cls = "bar partial"
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s: %s %s</title></rect>`,
				cls, num(x(i)-bw/2), num(top+ph-bh), num(bw), num(bh), html.EscapeString(c.Labels[i]), strconv.FormatFloat(v, 'f', -1, 64), html.EscapeString(c.BarName))
		}
		fmt.Fprintf(&b, `<text class="tick bar-tick" x="%s" y="%s">%s</text>`, num(left+pw+4), num(top+8), html.EscapeString(strconv.FormatFloat(maxBar, 'f', -1, 64)))
		fmt.Fprintf(&b, `<text class="tick bar-tick" x="%s" y="%s">0</text>`, num(left+pw+4), num(top+ph+4))
	}
	// Lines: one path per run of values, dots with tooltips.
	for _, l := range c.Lines {
		format := l.Format
		if format == nil {
			format = num
		}
		var d strings.Builder
		pen := false
		for i, v := range l.Values {
			if i >= n {
				break
			}
			if math.IsNaN(v) {
				pen = false
				continue
			}
			v = math.Max(c.Min, math.Min(c.Max, v))
			if pen {
				fmt.Fprintf(&d, " L%s %s", num(x(i)), num(y(v)))
			} else {
				fmt.Fprintf(&d, " M%s %s", num(x(i)), num(y(v)))
				pen = true
			}
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line %s" d="%s"/>`, html.EscapeString(l.Class), strings.TrimSpace(d.String()))
		}
		r := "2.5"
		if n > 30 {
			r = "1.6"
		}
		for i, v := range l.Values {
			if i >= n || math.IsNaN(v) {
				continue
			}
			cv := math.Max(c.Min, math.Min(c.Max, v))
			fmt.Fprintf(&b, `<circle class="dot %s" cx="%s" cy="%s" r="`+r+`"><title>%s: %s %s</title></circle>`,
				html.EscapeString(l.Class), num(x(i)), num(y(cv)), html.EscapeString(c.Labels[i]), html.EscapeString(l.Name), html.EscapeString(format(v)))
		}
	}
	// A few x labels, never crowded.
	every := max(1, int(math.Ceil(float64(n)/8)))
	for i := 0; i < n; i += every {
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%d" text-anchor="middle">%s</text>`, num(x(i)), h-6, html.EscapeString(shortLabel(c.Labels[i])))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shortLabel shortens period keys for the axis: 2025-W23 → W23 '25,
// 2025-06 → Jun '25, 2025-06-02 → 2 Jun.
func shortLabel(s string) string {
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	switch {
	case len(s) == 8 && s[4:6] == "-W":
		return s[5:] + " ’" + s[2:4]
	case len(s) == 7 && s[4] == '-':
		if m, err := strconv.Atoi(s[5:]); err == nil && m >= 1 && m <= 12 {
			return months[m-1] + " ’" + s[2:4]
		}
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		m, err1 := strconv.Atoi(s[5:7])
		d, err2 := strconv.Atoi(s[8:])
		if err1 == nil && err2 == nil && m >= 1 && m <= 12 {
			return strconv.Itoa(d) + " " + months[m-1]
		}
	}
	return s
}

// Sparkline is a small line without axes, for the overview's tiles.
func Sparkline(values []float64, class, title string) template.HTML {
	const w, h = 160.0, 36.0
	lo, hi := math.Inf(1), math.Inf(-1)
	pts := 0
	for _, v := range values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			pts++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark %s" viewBox="0 0 %d %d" role="img" aria-label="%s" data-points="%d"><title>%s</title>`,
		html.EscapeString(class), int(w), int(h), html.EscapeString(title), pts, html.EscapeString(title))
	if pts == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	var d strings.Builder
	pen := false
	last := [2]float64{}
	for i, v := range values {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		px := 2 + (w-4)*float64(i)/math.Max(1, float64(len(values)-1))
		py := 2 + (h-4)*(1-(v-lo)/(hi-lo))
		if pen {
			fmt.Fprintf(&d, " L%s %s", num(px), num(py))
		} else {
			fmt.Fprintf(&d, " M%s %s", num(px), num(py))
			pen = true
		}
		last = [2]float64{px, py}
	}
	fmt.Fprintf(&b, `<path d="%s"/><circle cx="%s" cy="%s" r="2.5"/></svg>`, strings.TrimSpace(d.String()), num(last[0]), num(last[1]))
	return template.HTML(b.String())
}
