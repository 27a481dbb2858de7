package alert

import (
	"fmt"
	"strings"

	"github.com/vigie-dev/vigie/internal/alert/notify"
)

// Titles and summaries of alerts, in English (the dashboard's language).

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (e *Engine) place(l *locState) string { return e.cat.locationName(l.id) }

// themeName is a theme as a sentence names it: its label, lower case
// ("waiting time").
func (e *Engine) themeName(id string) string {
	if e.opts.ThemeLabel == nil {
		return id
	}
	label := e.opts.ThemeLabel(id)
	if label == "" {
		return id
	}
	return strings.ToLower(label[:1]) + label[1:]
}

func spikeText(e *Engine, l *locState, r *rule, theme string, obs int, mu, p float64) (string, string) {
	w, b := r.cfg.Window.String(), r.cfg.Baseline.String()
	if theme == "" {
		return fmt.Sprintf("Spike of negative reviews at %s", e.place(l)),
			fmt.Sprintf("%s in the last %s at %s, where %s were expected from the previous %s (probability %s).",
				plural(obs, "negative review", "negative reviews"), w, e.place(l), notify.FormatNumber(mu), b, notify.FormatProbability(p))
	}
	theme = e.themeName(theme)
	return fmt.Sprintf("Spike of complaints about %s at %s", theme, e.place(l)),
		fmt.Sprintf("%s complaining about %s in the last %s at %s, where %s were expected from the previous %s (probability %s).",
			plural(obs, "review", "reviews"), theme, w, e.place(l), notify.FormatNumber(mu), b, notify.FormatProbability(p))
}

func surgeText(e *Engine, l *locState, r *rule, theme string, k, n int, share, p0, p float64) (string, string) {
	theme = e.themeName(theme)
	return fmt.Sprintf("Complaints about %s surge at %s", theme, e.place(l)),
		fmt.Sprintf("%s is in %.0f%% of the complaints of the last %s at %s (%d of %d), against %.0f%% before (probability %s).",
			upperFirst(theme), 100*share, r.cfg.Window, e.place(l), k, n, 100*p0, notify.FormatProbability(p))
}

func ratingText(e *Engine, l *locState, r *rule, n int, m, mu0, p float64) (string, string) {
	return fmt.Sprintf("Rating drop at %s", e.place(l)),
		fmt.Sprintf("The last %s at %s average %.1f stars, against %.1f over the previous %s (probability %s).",
			plural(n, "rated review", "rated reviews"), e.place(l), m, mu0, r.cfg.Baseline, notify.FormatProbability(p))
}

func keywordText(e *Engine, loc, category string, n int, phrase string, r *rule) (string, string) {
	place := e.cat.locationName(loc)
	return fmt.Sprintf("%s mentioned at %s", upperFirst(category), place),
		fmt.Sprintf("%s at %s %s %s (“%s”) in the last %s.", plural(n, "review", "reviews"), place,
			map[bool]string{true: "mentions", false: "mention"}[n == 1], category, phrase, r.cfg.Cooldown)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func reviewText(e *Engine, loc string, stars float64, sentiment, excerpt string) (string, string) {
	place := e.cat.locationName(loc)
	what := "New review"
	switch {
	case stars > 0:
		what = fmt.Sprintf("New %.0f★ review", stars)
	case sentiment != "":
		what = "New " + sentiment + " review"
	}
	return fmt.Sprintf("%s at %s", what, place), notify.Excerpt(excerpt, 280)
}

func sourceText(e *Engine, src, loc, what string) string {
	place := e.cat.locationName(loc)
	if place != "" {
		return fmt.Sprintf("Source %s (%s) %s", src, place, what)
	}
	return fmt.Sprintf("Source %s %s", src, what)
}
