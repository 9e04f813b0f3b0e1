package demo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"venuehop/internal/conference"
)

// maxTitleTries bounds the search for an unused title; beyond it (only at
// large scales) a title may repeat across different contents.
const maxTitleTries = 24

// content draws one content of type t: topic, level, speakers, title, abstract.
func (g *generator) content(t *sessionType) *content {
	ct := &content{typ: t}
	ti := g.pickTopic(-1)
	ct.topic = &topics[ti]
	ct.topics = []string{ct.topic.name}
	if g.rng.IntN(10) < 3 {
		ct.topics = append(ct.topics, topics[g.pickTopic(ti)].name)
	}
	r := g.rng.IntN(100)
	for _, lw := range levelWeights {
		if r < lw.weight {
			ct.level = lw.level
			break
		}
		r -= lw.weight
	}

	customer := g.speakers(ct)
	subject := g.title(ct, customer)
	ct.abstract = g.abstract(ct, subject, customer)
	return ct
}

// pickTopic draws the index of a topic by weight, never the index not.
func (g *generator) pickTopic(not int) int {
	total := 0
	for i, tp := range topics {
		if i != not {
			total += tp.weight
		}
	}
	r := g.rng.IntN(total)
	for i, tp := range topics {
		if i == not {
			continue
		}
		if r < tp.weight {
			return i
		}
		r -= tp.weight
	}
	return 0
}

// speakers draws 1–3 speakers; about half the contents are co-presented by
// a customer, whose company is returned ("" when none).
func (g *generator) speakers(ct *content) string {
	n := 1
	switch r := g.rng.IntN(100); {
	case r >= 85:
		n = 3
	case r >= 40:
		n = 2
	}
	customer := ""
	if g.rng.IntN(2) == 0 {
		customer = companyStems[g.rng.IntN(len(companyStems))] + " " + companyKinds[g.rng.IntN(len(companyKinds))]
	}
	hasCustomer := false
	for i := range n {
		company := hostCompany
		if customer != "" && (i == n-1 && !hasCustomer || g.rng.IntN(10) < 4) {
			company = customer
			hasCustomer = true
		}
		ct.speakers = append(ct.speakers, conference.Speaker{Name: g.speakerName(), Company: company})
	}
	return customer
}

// speakerName hands out the shuffled name pairs in turn, so names stay unique
// until the pool wraps (only at large scales).
func (g *generator) speakerName() string {
	p := g.speakerPerm[g.nextSpeaker%len(g.speakerPerm)]
	g.nextSpeaker++
	return firstNames[p/len(lastNames)] + " " + lastNames[p%len(lastNames)]
}

// title picks a title not used yet and returns the subject it is about.
func (g *generator) title(ct *content, customer string) string {
	var subject, title string
	for try := 0; try < maxTitleTries; try++ {
		tmpl := ct.typ.titles[g.rng.IntN(len(ct.typ.titles))]
		if customer == "" && strings.Contains(tmpl, "{c}") {
			continue
		}
		subject = ct.topic.subjects[g.rng.IntN(len(ct.topic.subjects))]
		title = fill(tmpl, subject, customer, ct.topic)
		// A qualifier reads well only after a trailing subject.
		if strings.HasSuffix(tmpl, "{s}") && (try > 0 || g.rng.IntN(4) == 0) {
			title += titleQualifiers[g.rng.IntN(len(titleQualifiers))]
		}
		if !g.titles[title] {
			break
		}
	}
	g.titles[title] = true
	ct.title = title
	return subject
}

// abstract composes 2–4 sentences: an opener, a type note or a generic
// middle, then perhaps a level note and a closer.
func (g *generator) abstract(ct *content, subject, customer string) string {
	var parts []string
	for {
		o := abstractOpeners[g.rng.IntN(len(abstractOpeners))]
		if customer != "" || !strings.Contains(o, "{C}") {
			parts = append(parts, fill(o, subject, customer, ct.topic))
			break
		}
	}
	if ct.typ.note != "" {
		parts = append(parts, ct.typ.note)
	} else {
		parts = append(parts, abstractMiddles[g.rng.IntN(len(abstractMiddles))])
	}
	if g.rng.IntN(10) < 7 {
		parts = append(parts, fill(levelNotes[ct.level], subject, customer, ct.topic))
	}
	if g.rng.IntN(10) < 4 {
		parts = append(parts, abstractClosers[g.rng.IntN(len(abstractClosers))])
	}
	return strings.Join(parts, " ")
}

// fill replaces the placeholders of a template: {s} subject, {S} subject
// capitalized, {c} and {C} customer company, {t} topic phrase.
func fill(tmpl, subject, customer string, tp *topic) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl) + len(subject) + len(customer))
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '{' && i+2 < len(tmpl) && tmpl[i+2] == '}' {
			switch tmpl[i+1] {
			case 's':
				b.WriteString(subject)
			case 'S':
				b.WriteString(capitalize(subject))
			case 'c', 'C':
				b.WriteString(customer)
			case 't':
				b.WriteString(tp.phrase)
			default:
				b.WriteString(tmpl[i : i+3])
			}
			i += 2
			continue
		}
		b.WriteByte(tmpl[i])
	}
	return b.String()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
