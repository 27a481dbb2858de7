package alert

// DefaultRulesYAML is the alerts section Vigie recommends, without
// channels: the rules of config/example.yaml (a test keeps them the same),
// which the simulation in this package measures. A configuration without
// an alerts section can append it (the demo does) to show alerts in the
// dashboard without sending anything.
const DefaultRulesYAML = `
alerts:
  rules:
    # A day with many more negative reviews than usual at one location.
    - name: negative-spike
      kind: negative_spike
      severity: warning
      window: 24h
      baseline: 8w
      min_count: 5
      probability: 0.0001
    # The same, theme by theme: a queue, a rude manager, a broken card
    # terminal show as complaints about one theme long before the
    # location's overall mood moves.
    - name: theme-spike
      kind: negative_spike
      severity: warning
      theme: "*"
      window: 24h
      baseline: 8w
      min_count: 5
      probability: 0.0001
    # A slower build-up over a week.
    - name: theme-spike-week
      kind: negative_spike
      severity: warning
      theme: "*"
      window: 7d
      baseline: 8w
      min_count: 6
      probability: 0.0001
    # One theme takes over the complaints.
    - name: theme-surge
      kind: theme_surge
      severity: info
      window: 7d
      baseline: 8w
      min_count: 6
      min_increase: 0.3
      probability: 0.0001
    # The latest ratings fall well below the usual.
    - name: rating-drop
      kind: rating_drop
      severity: warning
      window: 7d
      baseline: 8w
      reviews: 20
      min_reviews: 8
      min_drop: 1.2
      probability: 0.0001
    # Food poisoning, vermin, theft, discrimination, violence, health
    # hazards, in French, Russian and English.
    - name: critical-phrases
      kind: keyword
      severity: critical
    # A source that fails for a day, finds nothing where it used to, or
    # goes silent for a week when it usually brings reviews every day.
    - name: source-health
      kind: source_health
      severity: warning
      failing_for: 24h
      silent_for: 7d
`
