package sentiment

// The closed-class words that steer sentiment: negators, intensifiers,
// contrast words. They are built in so that the analyser works before any
// data file is read; the modifiers_{lang}.tsv files add to them and
// override them.
//
// Each line is "term kind value", the same as the files.
var defaultModifiers = map[string]string{
	"en": `
not negator
no negator
never negator
none negator
nobody negator
nothing negator
neither negator
nor negator
nowhere negator
cannot negator
can't negator
cant negator
don't negator
dont negator
doesn't negator
doesnt negator
didn't negator
didnt negator
isn't negator
isnt negator
aren't negator
arent negator
wasn't negator
wasnt negator
weren't negator
werent negator
won't negator
wont negator
wouldn't negator
wouldnt negator
shouldn't negator
couldn't negator
couldnt negator
haven't negator
havent negator
hasn't negator
hadn't negator
ain't negator
without negator
hardly negator
barely negator
rarely negator
very booster 1.3
really booster 1.3
so booster 1.25
extremely booster 1.4
absolutely booster 1.35
totally booster 1.3
completely booster 1.3
incredibly booster 1.4
super booster 1.3
truly booster 1.3
highly booster 1.3
most booster 1.2
especially booster 1.2
particularly booster 1.2
exceptionally booster 1.4
remarkably booster 1.3
thoroughly booster 1.3
utterly booster 1.4
deeply booster 1.3
entirely booster 1.2
hugely booster 1.3
immensely booster 1.3
insanely booster 1.4
seriously booster 1.3
definitely booster 1.2
way booster 1.2
too booster 1.25
at all booster 1.3
by far booster 1.3
so much booster 1.3
pretty booster 1.1
quite booster 1.1
damn booster 1.3
damned booster 1.3
freaking booster 1.3
fucking booster 1.4
bloody booster 1.3
a bit dampener 0.6
a little dampener 0.6
a tad dampener 0.6
slightly dampener 0.6
somewhat dampener 0.7
kind of dampener 0.7
kinda dampener 0.7
sort of dampener 0.7
sorta dampener 0.7
fairly dampener 0.8
rather dampener 0.85
mostly dampener 0.9
almost dampener 0.7
marginally dampener 0.6
partly dampener 0.7
but contrast 1.5
however contrast 1.5
although contrast 0.5
though contrast 0.5
even though contrast 0.5
despite contrast 0.5
in spite of contrast 0.5
nevertheless contrast 1.5
nonetheless contrast 1.5
except contrast 1.3
not only ignore
no doubt ignore
nothing but ignore
no wonder ignore
as well ignore
looks like ignore
look like ignore
looked like ignore
feel like ignore
feels like ignore
felt like ignore
seems like ignore
seemed like ignore
sounds like ignore
would like ignore
'd like ignore
tastes like ignore
tasted like ignore
taste like ignore
something like ignore
just like ignore
`,
	"fr": `
ne negator
pas negator
jamais negator
rien negator
aucun negator
aucune negator
sans negator
ni negator
guère negator
peu negator
non negator
très booster 1.3
tres booster 1.3
vraiment booster 1.3
trop booster 1.25
super booster 1.3
hyper booster 1.3
vachement booster 1.3
tellement booster 1.3
extrêmement booster 1.4
particulièrement booster 1.2
absolument booster 1.3
totalement booster 1.3
complètement booster 1.3
carrément booster 1.3
franchement booster 1.1
bien booster 1.2
tout à fait booster 1.2
du tout booster 1.3
si booster 1.1
plutôt dampener 0.85
assez dampener 0.85
un peu dampener 0.6
un tout petit peu dampener 0.5
légèrement dampener 0.6
moyennement dampener 0.5
relativement dampener 0.8
presque dampener 0.7
mais contrast 1.5
cependant contrast 1.5
pourtant contrast 1.5
toutefois contrast 1.5
néanmoins contrast 1.5
par contre contrast 1.5
en revanche contrast 1.5
sauf contrast 1.3
malgré contrast 0.5
bien que contrast 0.5
même si contrast 0.5
quoique contrast 0.5
pas mal de ignore
non seulement ignore
sans doute ignore
sans aucun doute ignore
rien que ignore
`,
	"ru": `
не negator
нет negator
ни negator
никогда negator
ничего negator
ничто negator
никакой negator
никакая negator
никакое negator
никакие negator
никакого negator
никаких negator
никто negator
без negator
вовсе booster 1.2
очень booster 1.3
слишком booster 1.25
чересчур booster 1.3
крайне booster 1.4
весьма booster 1.2
самый booster 1.3
самая booster 1.3
самое booster 1.3
самые booster 1.3
самого booster 1.3
самой booster 1.3
самых booster 1.3
так booster 1.2
такой booster 1.2
такая booster 1.2
такое booster 1.2
такие booster 1.2
настолько booster 1.3
совсем booster 1.3
абсолютно booster 1.3
совершенно booster 1.3
полностью booster 1.2
невероятно booster 1.4
просто booster 1.15
реально booster 1.2
действительно booster 1.2
особенно booster 1.2
безумно booster 1.4
сильно booster 1.2
гораздо booster 1.2
намного booster 1.2
максимально booster 1.3
немного dampener 0.6
немножко dampener 0.6
чуть dampener 0.6
чуть-чуть dampener 0.6
слегка dampener 0.6
довольно dampener 0.85
достаточно dampener 0.9
относительно dampener 0.8
вполне dampener 0.9
более-менее dampener 0.6
более менее dampener 0.6
почти dampener 0.7
но contrast 1.5
однако contrast 1.5
зато contrast 1.5
впрочем contrast 1.3
тем не менее contrast 1.5
а вот contrast 1.3
хотя contrast 0.5
несмотря на contrast 0.5
не смотря на contrast 0.5
кроме contrast 1.2
не только ignore
ничего себе ignore
без сомнения ignore
`,
}

// excessWords ("too", "trop", "слишком") say something is wrong even
// before a word that is not evaluative ("too salty", "trop petit"): when
// they boost no sentiment word they count as mildly negative.
var excessWords = map[string]map[string]bool{
	"en": {"too": true},
	"fr": {"trop": true},
	"ru": {"слишком": true, "чересчур": true},
}

// excessScore is the valence of an excess word that boosts no sentiment
// word.
const excessScore = -1.3

// postNegators follow the verb they negate in informal French ("j'aime
// pas"), for the verbs where that is common.
var postNegators = map[string]map[string]bool{
	"fr": {"pas": true, "plus": true, "jamais": true, "point": true},
}

// postNegatedStems are the French verb stems that informal negation
// follows ("j'aime pas", "je recommande pas", "ça vaut pas le coup").
var postNegatedStems = map[string]bool{
	"aim": true, "ador": true, "recommand": true, "conseil": true, "conseill": true,
	"plais": true, "plaît": true, "plait": true, "appréci": true, "vaut": true,
	"mérit": true, "kiff": true, "val": true,
}

// irrealis are the words that put what follows in their clause in an
// unreal mood: a wish, a duty, a regret ("they should be friendlier",
// "j'aurais aimé un sourire", "хотелось бы побольше"). A positive word
// there reports something missing, so it counts against; a negative word
// counts less. Russian бы is left out: "я бы рекомендовал" recommends.
var irrealis = map[string][][]string{
	"en": {{"wish"}, {"wished"}, {"should"}, {"shouldn't"}, {"should've"}, {"need", "to"}, {"needs", "to"},
		{"needed", "to"}, {"could", "be"}, {"could", "have", "been"}, {"would", "have", "been"},
		{"would", "be", "nice"}, {"supposed", "to"}, {"if", "only"}, {"hoped"}},
	"fr": {{"devrait"}, {"devraient"}, {"aurait"}, {"auraient"}, {"aurais"}, {"aurions"}, {"mériterait"},
		{"mériteraient"}, {"faudrait"}, {"censé"}, {"censée"}, {"censés"}, {"censées"}, {"dommage", "que"},
		{"espérais"}, {"espérions"}, {"souhaiterais"}, {"aimerais"}, {"aimerait"}, {"aimerions"},
		{"aimeraient"}, {"voudrais"}, {"voudrait"}},
	"ru": {{"должен", "был"}, {"должна", "была"}, {"должны", "были"}, {"должно", "было"}},
}
