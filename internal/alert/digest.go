package alert

import (
	"sort"
	"time"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/internal/alert/notify"
)

// Digests: a channel with a digest schedule (daily, weekly or cron)
// receives, at each scheduled time, the alerts of its rules opened,
// grown and resolved since the last digest, and how many are still open.

type digestState struct {
	Last time.Time `json:"last"`
}

func (e *Engine) timezone() *time.Location {
	if e.cfg.Timezone != "" {
		if loc, err := time.LoadLocation(e.cfg.Timezone); err == nil {
			return loc
		}
	}
	return time.Local
}

// sendDigests queues the digests that are due.
func (e *Engine) sendDigests(now time.Time) {
	for _, name := range sortedKeys(e.channels) {
		ch := e.channels[name]
		if ch.Digest == "" {
			continue
		}
		sched, err := config.Cron.Parse(config.DigestSchedule(ch.Digest))
		if err != nil {
			continue
		}
		st := e.digests[name]
		if st == nil {
			// The first period starts now: no digest of the past.
			e.digests[name] = &digestState{Last: now}
			e.dirtyDigests[name] = true
			continue
		}
		if sched.Next(st.Last.In(e.timezone())).After(now) {
			continue
		}
		d := e.digest(name, st.Last, now)
		st.Last = now
		e.dirtyDigests[name] = true
		if len(d.Opened)+len(d.Updated)+len(d.Resolved) == 0 {
			continue
		}
		e.seq++
		e.queue(notify.Delivery{
			ID: "digest-" + name + "-" + now.UTC().Format("20060102T150405"), Channel: name,
			Message: notify.Message{Event: notify.EventDigest, Digest: d}, CreatedAt: now, NextAt: now,
		})
	}
}

// Digest returns what the digest of channel says for the period (from,
// to].
func (e *Engine) Digest(channel string, from, to time.Time) *notify.Digest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.digest(channel, from, to)
}

func (e *Engine) digest(channel string, from, to time.Time) *notify.Digest {
	d := &notify.Digest{Channel: channel, From: from, To: to, Opened: []notify.Alert{}, Updated: []notify.Alert{}, Resolved: []notify.Alert{}}
	if e.dashboard != "" {
		d.URL = e.dashboard + "/alerts"
	}
	in := func(t time.Time) bool { return t.After(from) && !t.After(to) }
	ids := sortedKeys(e.alerts)
	var rs []*record
	for _, id := range ids {
		r := e.alerts[id]
		if contains(r.Channels, channel) && r.Kind != config.RuleReview {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].OpenedAt.Before(rs[j].OpenedAt) })
	for _, r := range rs {
		switch {
		case in(r.OpenedAt):
			d.Opened = append(d.Opened, *e.view(&r.Alert))
		case r.Status == StatusResolved && in(r.ResolvedAt):
			d.Resolved = append(d.Resolved, *e.view(&r.Alert))
		case in(r.UpdatedAt):
			d.Updated = append(d.Updated, *e.view(&r.Alert))
		}
		if r.Active() && !r.OpenedAt.After(to) {
			d.Open++
		}
	}
	return d
}
