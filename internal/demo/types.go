package demo

import "venuehop/internal/conference"

// sessionType describes how the demo schedules one session type.
type sessionType struct {
	name       string
	percent    int // share of the non-keynote sittings
	minutes    int
	kinds      []roomKind // rooms it may use, preferred by kindWeights, then in order
	weights    []int      // chance (in %) of each kind being tried first
	recorded   bool
	reservable bool
	titles     []string
	// note is a type-specific abstract sentence; empty uses a generic one.
	note string
}

// sessionTypes is the re:Invent-like mix; the percents add up to 100.
var sessionTypes = []sessionType{
	{
		name: conference.TypeBreakout, percent: 28, minutes: 60,
		kinds: []roomKind{kindLarge, kindMedium}, weights: []int{35, 65},
		recorded: true, reservable: true, titles: generalTitles,
	},
	{
		name: conference.TypeChalkTalk, percent: 26, minutes: 60,
		kinds: []roomKind{kindMedium, kindSmall}, weights: []int{70, 30},
		reservable: true, titles: append(append([]string(nil), chalkTitles...), generalTitles[:8]...),
		note: "This is an interactive whiteboard session, so bring your questions and your own design challenges.",
	},
	{
		name: conference.TypeWorkshop, percent: 12, minutes: 120,
		kinds: []roomKind{kindWorkshop}, weights: []int{100},
		reservable: true, titles: workshopTitles,
		note: "Bring your laptop: you work through guided exercises in a sandbox account we provide.",
	},
	{
		name: conference.TypeBuildersSession, percent: 9, minutes: 60,
		kinds: []roomKind{kindSmall, kindMedium}, weights: []int{100, 0},
		reservable: true, titles: buildersTitles,
		note: "In a small group of builders, you create a working prototype with guidance from an expert.",
	},
	{
		name: conference.TypeLightningTalk, percent: 9, minutes: 20,
		kinds: []roomKind{kindTheater}, weights: []int{100},
		recorded: false, reservable: false, titles: lightningTitles,
		note: "In 20 minutes, get the key idea and a sample you can try afterwards; seating is first come, first served.",
	},
	{
		name: conference.TypeCodeTalk, percent: 8, minutes: 60,
		kinds: []roomKind{kindMedium, kindLarge}, weights: []int{80, 20},
		recorded: true, reservable: true, titles: codeTitles,
		note: "The speakers write and explain the code live, then take questions on the implementation.",
	},
	{
		name: conference.TypeGamifiedLearning, percent: 4, minutes: 120,
		kinds: []roomKind{kindWorkshop}, weights: []int{100},
		reservable: true, titles: gamifiedTitles,
		note: "Teams compete to solve a series of challenges; no experience with the format is needed.",
	},
	{
		name: conference.TypeInnovationTalk, percent: 3, minutes: 60,
		kinds: []roomKind{kindLarge, kindMedium}, weights: []int{100, 0},
		recorded: true, reservable: true, titles: innovationTitles,
		note: "Hear the leaders behind the technology describe where it is heading next.",
	},
	{
		name: conference.TypeBootcamp, percent: 1, minutes: 120,
		kinds: []roomKind{kindWorkshop}, weights: []int{100},
		reservable: true, titles: bootcampTitles,
		note: "This bootcamp alternates short lectures with hands-on labs.",
	},
}

// levelWeights: mostly 300, then 200, 400, 100 and a few 500.
var levelWeights = []struct{ level, weight int }{
	{300, 40}, {200, 27}, {400, 19}, {100, 10}, {500, 4},
}
