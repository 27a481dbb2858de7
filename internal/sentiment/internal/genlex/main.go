// Command genlex rebuilds the lexicons that Vigie ships from third-party
// word lists whose licences allow it (see NOTICE):
//
//	en_vader.tsv  VADER (Hutto & Gilbert 2014, MIT): its words, as published
//	fr_afinn.tsv  AFINN-fr-165 (Finn Årup Nielsen, Apache-2.0): rescaled to
//	              -4..4, duplicates averaged, mistranslations for reviews left out
//	emoji.tsv     VADER's emoji descriptions scored with VADER's words, VADER's
//	              and AFINN's emoticons in Vigie's canonical forms, and Vigie's
//	              own scores for the emoji most used in reviews
//
// Run it from the repository root:
//
//	go run ./internal/sentiment/internal/genlex -data ../shared/data/lexicons -out internal/sentiment/lexicons
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/vigie-dev/vigie/internal/textproc"
)

func main() {
	data := flag.String("data", "../shared/data/lexicons", "folder holding vader/ and afinn/")
	out := flag.String("out", "internal/sentiment/lexicons", "output folder")
	flag.Parse()
	vader := readVader(filepath.Join(*data, "vader", "vader_lexicon.txt"))
	writeVader(filepath.Join(*out, "en_vader.tsv"), vader)
	writeAfinn(filepath.Join(*out, "fr_afinn.tsv"), filepath.Join(*data, "afinn", "AFINN-fr-165.txt"))
	writeEmoji(filepath.Join(*out, "emoji.tsv"), vader,
		filepath.Join(*data, "vader", "emoji_utf8_lexicon.txt"),
		filepath.Join(*data, "afinn", "AFINN-emoticon-8.txt"))
	copyFile(filepath.Join(*data, "vader", "LICENSE.txt"), filepath.Join(*out, "LICENSE.vader.txt"))
	copyFile(filepath.Join(*data, "afinn", "LICENSE"), filepath.Join(*out, "LICENSE.afinn.txt"))
}

type entry struct {
	term  string
	score float64
	exact bool
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func readVader(path string) map[string]float64 {
	m := map[string]float64{}
	for _, l := range readLines(path) {
		f := strings.Split(l, "\t")
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			log.Fatalf("%s: %q: %v", path, l, err)
		}
		m[f[0]] = v
	}
	return m
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// vaderDrop are VADER entries that mislead on reviews: words that are
// mostly not evaluative there ("like" as a preposition, "kind" in "kind
// of", "pretty" in "pretty good", "well" as a filler) are handled as
// modifiers or left out.
var vaderDrop = map[string]bool{
	"no": true, "please": true, "yes": true, "like": true, "god": true, "true": true, "pretty": true,
	"hand": true, "pita": true,
}

// vaderShort are the two-letter VADER entries kept: the others are chat
// codes that collide with abbreviations and initials.
var vaderShort = map[string]bool{"ok": true, "ty": true, "xd": true, "ha": true, "np": true, "gg": true, "jk": true}

func writeVader(path string, m map[string]float64) {
	var es []entry
	for t, v := range m {
		if !hasLetter(t) || vaderDrop[t] || t != strings.ToLower(t) {
			continue
		}
		if r := []rune(t); !unicode.IsLetter(r[0]) {
			continue // "2g2b4g", "^urs": chat codes, not words
		}
		d := textproc.Tokenize(t, "en")
		if len(d.Tokens) != 1 || d.Tokens[0].Kind != textproc.Word {
			continue // ":d", "8-d" are emoticons: emoji.tsv has them
		}
		if n := len([]rune(d.Tokens[0].Norm)); n <= 2 && !vaderShort[t] {
			continue // chat codes ("gt", "po", "l") and "zzz" squeezed to "z" match noise
		}
		es = append(es, entry{t, v, true})
	}
	write(path, "VADER sentiment lexicon (Hutto & Gilbert 2014), MIT licence: see LICENSE.vader.txt.\n"+
		"# Words only, as published (mean human valence -4..4); emoticons are in emoji.tsv.\n"+
		"# VADER lists inflected forms itself, and English stems join words of opposite sense\n"+
		"# (lively/live, handsome/hand, useful/use): every entry matches its own form only.\n"+
		"# Left out: "+strings.Join(sortedTrue(vaderDrop), ", ")+" (handled as modifiers or not evaluative in reviews),\n"+
		"# and entries of one or two letters (chat codes) but "+strings.Join(sortedTrue(vaderShort), ", ")+".", es)
}

func sortedTrue(m map[string]bool) []string {
	var s []string
	for k, v := range m {
		if v {
			s = append(s, k)
		}
	}
	sort.Strings(s)
	return s
}

// afinnDrop are AFINN-fr entries whose machine translation is wrong or not
// evaluative in customer reviews ("prix" translates "award", "cher" "dear",
// "professionnel" "unprofessional", "chef" "chief").
var afinnDrop = strings.Fields(`
prix cher chèrement chef plus grand grande comme type question fin ventilateur juste attention
droite fort forte actions soleil support stout swift puce esprit vision visions visualisation
jésus ciel roman naturel lancé tiède lunatique irresponsable exaspérée obsédé futile sentiment
l'autorité backs hantise complexe dépendante obligés commis commet commettre restauration restaurée
restaure engager engage engagement acquis voulez mousseux bijoux joyau diamant vitamine saillant
partager partagé partisan partisans bord sinistre certaine immunitaire avancé prévision intitulé axé
subvention subventions accordé garantie sécurité fixé sécuriser sécurise juridique juridiquement
promesse promis promet promouvoir promu perspective perspectives atteindre atteint atteignant
ratifié résolution décide solution solutions résoudre résolu résout défenseur défenseurs valider
validée valide validation dédié ardent exploration explorations étendre étend agrandir élargit
porteur intérêt intérêts intrigues importance important maturité méthodique sensibilisation
éminent protéger protégée protège prier priant prie préparé motiver motivés motivation innover innove
l'innovation rejoindre inviter invitant sensibles capable capacité capacités active actif actifs activité
contre demande demandes exigé payer dire croire sens phrase phrases robe hall seul tard prête
professionnel impressionné clair incroyable convaincu convainc convaincre surpris non faim feu tiré tir tirer
gourmande baiser coupe coupes couper bloc blocs ax hache coups piquer piqué écrous maquette musaraigne seins
frottis auteur auteurs composer retrait porté laisser caché cacher cache gris brut espérons prévenu
avertir avertit conservé admettre admet admis affecté reporter reporté reporte suspendu suspendre lag rig gréé
verdict verdicts fou folle follement fous pression chargée poursuite poursuites poursuivre poursuivis poursuit
tombe tombé tombant glisser déposer vider décharges exposer exposée expose exposant exclure exclus
exclusion démonstration défense défi différer report retarder retardée dette cancer cadavre
arrêter arrêté arrête bombe gun alerter sévère imposer imposée impose limitation limité limites
isolé attaque attaqué attaquer attaques collision heurte bataille batailles combat combats mort morts
chéri chérir chérit chérissant foi envier arrivistes semblant blanchir jouit saisies gag questionnement
détention détenu détenir farce fumant bénit bénisse prévenir
`)

// afinnExact are AFINN-fr entries whose stem is shared with a frequent
// neutral word of reviews ("accueilli" → accueil, "sale" → salé, "tue" →
// tu, "dur" → durant): they match their own form only.
var afinnExact = strings.Fields(`
accueilli accueille accueillir sale agités tue tuer tué tuant volé voler vole dur forcé traîné
ressentiment noie noyer noyé envieux dire dure énergique
`)

// afinnDropPhrases are multi-word AFINN-fr entries left out for the same
// reasons as afinnDrop.
var afinnDropPhrases = []string{
	"à compter du", "une valeur de", "qui compte", "signification de", "fiducie de", "plus intelligent",
	"plus résistantes", "de plus en plus", "augmenter de", "augmenté de", "permettre à", "adapter à",
	"remise en forme", "promotion de", "amélioration de", "l'octroi de", "en toute sécurité", "prestations de",
	"aider à", "chic et", "profiter de", "satisfaire à", "vis à vis", "encaissement de", "maux de", "difficulté à",
	"lutter contre", "protester contre", "pour protester contre", "intente des poursuites", "se cache", "se cachent",
	"plus bas", "plus sombre", "plus fou", "plus sévère", "plus dure",
}

func writeAfinn(path, src string) {
	drop := map[string]bool{}
	for _, w := range afinnDrop {
		drop[w] = true
	}
	for _, w := range afinnDropPhrases {
		drop[w] = true
	}
	exact := map[string]bool{}
	for _, w := range afinnExact {
		exact[w] = true
	}
	sum := map[string]float64{}
	n := map[string]int{}
	var order []string
	for _, l := range readLines(src) {
		f := strings.Split(l, "\t")
		if len(f) != 2 {
			continue
		}
		t := strings.ToLower(strings.TrimSpace(f[0]))
		v, err := strconv.Atoi(strings.TrimSpace(f[1]))
		if err != nil || v == 0 || drop[t] {
			continue
		}
		if strings.HasPrefix(t, "l'") { // "l'excellence": the article is not part of the lemma
			t = t[2:]
		}
		if n[t] == 0 {
			order = append(order, t)
		}
		sum[t] += float64(v)
		n[t]++
	}
	var es []entry
	for _, t := range order {
		// AFINN scores run -5..5, Vigie's -4..4.
		es = append(es, entry{t, math.Round(sum[t]/float64(n[t])*0.8*10) / 10, exact[t]})
	}
	write(path, "AFINN-fr-165 (Finn Årup Nielsen), Apache License 2.0: see LICENSE.afinn.txt.\n"+
		"# Rescaled from -5..5 to -4..4, duplicates averaged; entries whose translation is wrong or\n"+
		"# not evaluative in customer reviews are left out (see internal/sentiment/internal/genlex).", es)
}

// emojiScores are Vigie's own valences for emoji that reviews use most,
// where the description's words say little ("thumbs up") or mislead
// ("fire", "face with tears of joy").
var emojiScores = map[string]float64{
	"❤": 3.0, "♥": 2.8, "💕": 2.8, "💖": 2.8, "💗": 2.6, "💓": 2.6, "💙": 2.4, "💚": 2.4, "💛": 2.4, "💜": 2.4, "🧡": 2.4, "🖤": 1.0,
	"👍": 2.0, "👎": -2.2, "👌": 1.8, "🙏": 1.5, "🔥": 2.0, "⭐": 1.5, "🌟": 1.8, "💯": 2.5, "😋": 2.5, "🤤": 1.5,
	"💩": -2.5, "🤮": -3.0, "🤢": -2.5, "🙄": -1.5, "😒": -1.6, "😡": -3.0, "😠": -2.5, "🤬": -3.2, "😂": 1.5,
	"🤣": 1.8, "😭": -1.5, "👏": 2.0, "✨": 1.5, "😍": 3.0, "🥰": 3.0, "😘": 2.2, "😊": 2.5, "🙂": 1.5, "😉": 1.2,
	"😅": 0.5, "🤔": -0.5, "😐": -0.6, "😑": -0.8, "😞": -2.2, "😢": -2.2, "😤": -2.0, "😱": -2.0, "💔": -2.5,
	"😀": 2.2, "😁": 2.2, "😃": 2.3, "😄": 2.3, "😆": 2.0, "🤩": 3.0, "😎": 1.8, "🥳": 2.5, "🎉": 2.0, "🤗": 2.2,
	"😔": -1.8, "😟": -1.8, "😕": -1.4, "🙁": -1.8, "☹": -2.0, "😩": -2.0, "😫": -2.0, "😖": -2.0, "😣": -1.8,
	"🤦": -1.8, "🤷": -0.5, "😬": -1.0, "😓": -1.4, "😥": -1.6, "😪": -1.0, "😴": -1.0, "🥱": -1.2, "👿": -2.5,
	"😈": 0.5, "☺": 2.0, "😇": 2.0, "😌": 1.5, "😏": 0.3, "🤑": 0.5, "😻": 2.6, "😺": 1.8, "😿": -2.0, "😾": -2.0,
	"✅": 1.2, "❌": -1.5, "⛔": -1.5, "🚫": -1.5, "⚠": -1.0, "💪": 1.8, "🏆": 2.0, "🥇": 2.0, "🎊": 2.0,
}

func writeEmoji(path string, vader map[string]float64, emojiFile, afinnEmoticons string) {
	scores := map[string]float64{}
	var order []string
	add := func(k string, v float64) {
		if _, ok := scores[k]; !ok {
			order = append(order, k)
		}
		scores[k] = v
	}
	// Emoticons: VADER's and AFINN's, averaged per canonical form.
	sum, n := map[string]float64{}, map[string]int{}
	collect := func(t string, v float64) {
		d := textproc.Tokenize(t, "en")
		if len(d.Tokens) != 1 || d.Tokens[0].Kind != textproc.Emoticon {
			return
		}
		k := d.Tokens[0].Norm
		sum[k] += v
		n[k]++
	}
	for t, v := range vader {
		collect(t, v)
	}
	for _, l := range readLines(afinnEmoticons) {
		f := strings.Split(l, "\t")
		if len(f) == 2 {
			v, _ := strconv.Atoi(f[1])
			collect(f[0], float64(v)*0.8)
		}
	}
	var emos []string
	for k := range sum {
		emos = append(emos, k)
	}
	sort.Strings(emos)
	for _, k := range emos {
		add(k, math.Round(sum[k]/float64(n[k])*10)/10)
	}
	// Emoji: the words of their description, scored with VADER, as VADER
	// itself does at run time; Vigie's own scores override.
	for _, l := range readLines(emojiFile) {
		f := strings.SplitN(l, "\t", 2)
		if len(f) != 2 {
			continue
		}
		d := textproc.Tokenize(f[0], "en")
		if len(d.Tokens) == 0 || d.Tokens[0].Kind != textproc.Emoji {
			continue
		}
		k := d.Tokens[0].Norm
		if _, ok := scores[k]; ok {
			continue
		}
		desc := strings.ToLower(f[1])
		if i := strings.IndexByte(desc, ':'); i >= 0 {
			desc = desc[:i] // ": light skin tone"
		}
		v := 0.0
		for _, w := range strings.FieldsFunc(desc, func(r rune) bool { return !unicode.IsLetter(r) }) {
			v += vader[w]
		}
		if math.Abs(v) >= 0.8 {
			add(k, math.Round(math.Max(-3, math.Min(3, v))*10)/10)
		}
	}
	var keys []string
	for k := range emojiScores {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, emojiScores[k])
	}
	var es []entry
	for _, k := range order {
		es = append(es, entry{k, scores[k], false})
	}
	write(path, "Emoji and emoticons, for every language.\n"+
		"# Emoticons: VADER (MIT, LICENSE.vader.txt) and AFINN-emoticon-8 (Apache-2.0, LICENSE.afinn.txt),\n"+
		"# averaged per canonical form (:) :( :D ;) :P :/ :'( <3 ...).\n"+
		"# Emoji: VADER's emoji descriptions scored with VADER's words, and Vigie's own scores.", es)
}

func write(path, header string, es []entry) {
	var b strings.Builder
	b.WriteString("# " + header + "\n# Generated by internal/sentiment/internal/genlex; do not edit.\n")
	for _, e := range es {
		fmt.Fprintf(&b, "%s\t%s", e.term, strconv.FormatFloat(e.score, 'f', -1, 64))
		if e.exact {
			b.WriteString("\texact")
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d entries\n", path, len(es))
}

func copyFile(src, dst string) {
	b, err := os.ReadFile(src)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
