package lang

import "strings"

// Latin-script languages the word stage scores. Only English and French are
// answers; the others exist so that a Spanish or Polish review collects
// evidence for its own language and comes out "und" instead of being pushed
// into the nearest of English and French.
const (
	lEN = iota
	lFR
	lDE
	lNL
	lAF
	lES
	lPT
	lIT
	lCA
	lRO
	lPL
	lCS
	lSK
	lHR // Croatian, Serbian and Bosnian in Latin script
	lSL
	lHU
	lFI
	lET
	lSV
	lDA // Danish and Norwegian
	lIS
	lTR
	lID // Indonesian and Malay
	lTL
	lSW
	lVI
	lLT
	lLV
	lSQ
	lEU
	lGA
	lCY
	lLA
	lEO
	lXX // a letter no listed language uses: evidence for "something else"
	nLatin
)

// Cyrillic-script languages. Only Russian is an answer.
const (
	cRU = iota
	cUK
	cBE
	cBG
	cSR
	cMK
	cXX // letters of Kazakh, Tatar, Mongolian, Tajik... (not in any list)
	nCyr
)

// Function words and a few very frequent review words, written by hand for
// this package (not derived from any corpus, so they may ship). A word
// listed for several languages counts for each of them: membership is
// honest, and the decision looks at margins, so shared words such as "de"
// or "in" only dilute. Words of other languages that are also common
// English or French content words were left out ("will", "man", "car").
// Apostrophe forms are looked up whole ("don't"), then by their elided
// prefix ("l'", "qu'") and clitic suffix ("'s", "'ll").
var latinWords = [nLatin]string{
	lEN: `the a an and or but nor of to in on at for with from by about as into onto than then this that these those
		it its it's i i'm i've i'd i'll im me my mine myself we we're we've our ours us you you're you've your yours
		he he's him his she she's her hers they they're they've them their theirs there there's here here's
		is are was were be been being am have has had having do does did doing done don't doesn't didn't isn't
		wasn't aren't weren't haven't hasn't hadn't can can't cannot could couldn't would wouldn't should
		shouldn't will won't shall may might must not no yes very so too just really all some any every each
		what what's which who whom whose when where why how if because while until out up down over under after
		before again only also more most much many such own other another same both few ever never always often
		that's let's get got gets go goes went going gone come came make made take took said say like well even
		still back now something nothing anything everything someone everyone great good nice best better bad
		worse worst lovely awesome amazing definitely highly recommend recommended staff food place friendly
		delicious thanks thank please love loved ordered wait waited waiting here though although through
		dont cant didnt doesnt isnt wasnt thats ive youre gonna wanna u ur lol 's 't 're 've 'll 'd 'm
		waiter waitress waiters server servers meal meals dinner lunch breakfast dish dishes drinks drink beer
		tasty yummy fresh price prices priced cheap expensive overpriced worth value quality atmosphere decor
		rude slow quick fast helpful attentive clean dirty room rooms hotel store shop customer customers
		order hour hours terrible disappointing disappointed perfect fantastic wonderful poor absolutely
		pretty little big small spot experience visit enjoyed enjoy tried try ate eat eating everything`,
	lFR: `le la les l' un une des du de d' et est ou où que qu' qui quoi dont ce cet cette ces c' ça ca il ils
		elle elles on je j' tu nous vous me m' te t' se s' lui leur leurs y en mon ma mes ton ta tes son sa ses
		notre nos votre vos au aux à avec pour par dans sur sous sans chez entre vers pendant depuis mais donc ni
		ne n' pas plus moins très trop bien peu aussi encore toujours jamais rien tout tous toute toutes même
		comme quand si alors déjà ici là cela ceci celui celle ceux celles être avoir été était étaient étais
		sont suis sommes êtes ai a avons avez ont avait avaient aurait fait faire fais font peut peuvent va
		vais vont sera serait seront bon bonne bons bonnes merci oui non après avant puis chaque quelque
		quelques autre autres beaucoup vraiment jusqu' lorsqu' puisqu' quoiqu' aujourd' presqu' assez plutôt
		parce presque enfin voilà voici tellement moi toi eux cest jai accueil accueillant délicieux agréable
		sympa personnel serveur serveuse plats repas mal nul tres vin vins plat viande poisson frites pain
		fromage boisson boissons serveurs équipe patron prix qualité rapport attente salle terrasse cadre
		endroit lieu magasin vendeur vendeuse caisse commande livraison chambre hôtel propre froid chaud
		cher chère délicieuse excellente mauvais mauvaise nulle génial parfait parfaite moyen décevant déçu
		déçue déçus recommande recommandé conseille éviter reviendrai reviendrons retournerai aimable
		aimables souriant souriante sympathique chaleureux rapide lent lente longue attendre attendu trouvé
		mangé pris commandé essayé également surtout personne fois heure heures jour soir midi semaine
		gentil gentille agréables copieux frais fraîche goût saveur carte choix bref hélas malheureusement
		franchement tarte`,
	lDE: `der die das den dem des ein eine einen einem einer eines und ist nicht auch sich mit von zu auf für aber
		oder wie wir ich sie er es noch nur sehr schon dass daß bei nach aus um wenn doch kein keine keinen mir
		mich dir dich uns euch ihr ihn ihm ihre ihren im zum zur vom beim habe haben hatte hatten sind bin bist
		seid wird werden wurde wurden kann können muss immer hier dann jetzt alle alles etwas viel viele mehr
		nichts unser unsere mein meine dein sein seine durch gegen ohne über unter zwischen weil ob als also
		war waren hat wieder ganz gibt wirklich lecker essen danke freundlich nett toll leider einfach gerne
		gern bitte ja da mal gut am`,
	lNL: `de het een en van in is op te dat die niet met voor zijn er maar ook als aan bij of om dan nog wel uit
		naar was heb hebben heeft kan kunnen zal zou wordt worden werd over ze zij hij wij we ik je jij u mijn
		jouw uw ons onze hun hem haar dit deze wat wie waar hoe waarom omdat want toen nu al alles niets veel
		meer zeer erg heel goed lekker echt hier daar geen nooit altijd weer tot zo zonder tussen na even eten
		bedankt dank ja`,
	lAF: `die en van is in het nie te dat om op vir met sy hy ek jy ons julle hulle was word kan sal moet baie goed
		ook maar as nog al wat wie waar hoe hier daar dit hierdie daardie geen nooit altyd weer tot so sonder
		tussen na`,
	lES: `el la los las un una unos unas de del al a y e o u que qué en es son está están estaba estamos fue era
		ser estar hay he ha han había por para con sin sobre entre hasta desde muy más pero como cómo todo
		todos toda todas este esta estos estas ese esa eso esto aquí allí lo le les se me te nos su sus mi mis
		tu tus no sí si ya también cuando donde dónde porque pues nada mucho muchos mucha poco bien mal bueno tres
		buena gracias siempre nunca otro otra hace hacer tiene tienen tengo puede pueden algo ni ellos ellas
		él ella yo usted ustedes nosotros mejor peor comida servicio precio lugar excelente rico`,
	lPT: `o a os as um uma uns umas de do da dos das no na nos nas em e é ou que com para por pelo pela pelos
		pelas não sim mais mas muito muita muitos como quando onde porque se ele ela eles elas eu você vocês
		nós seu sua seus suas meu minha meus minhas este esta isso isto esse essa aqui ali já também foi era
		ser estar está estão estava tem têm tinha há ao aos à às até sem sobre entre bem bom boa obrigado
		obrigada nunca sempre nada tudo todo toda todos todas lhe me te então ainda depois antes mesmo outro
		outra coisa ótimo excelente comida atendimento mal`,
	lIT: `il lo la i gli le un uno una un' l' dell' nell' all' sull' dall' dell nell c' di da in con su per tra fra
		e ed è o ma che chi non più molto molta molti molte anche come quando dove perché se si ci mi ti vi ne
		io tu lui lei noi voi loro mio mia miei mie suo sua suoi sue nostro questo questa questi queste quello
		quella del della dei delle degli dello al alla ai alle agli allo dal dalla dai dalle nel nella nei
		nelle negli sul sulla sui sulle sono sei siamo siete era erano essere stato stata ho hai ha abbiamo
		avete hanno fatto fare cosa tutto tutti tutta tutte sempre mai già ancora poi bene buono buona grazie
		ottimo ottima qui solo proprio però quindi dopo prima ogni niente no po' cibo personale`,
	lCA: `el la els les un una uns unes de del dels al als a i o que en és són era amb per no sí més molt molta
		molts moltes però com quan on perquè si es se em et ens us hi ho li aquest aquesta aquests aquestes
		aquell això allò també ja sempre mai tot tots tota totes bé bon bona gràcies l' d' n' m' s' hem han he
		ha va van fer fa ser estar està estan`,
	lRO: `și şi în de la cu pe pentru că ca care ce nu da este sunt era fost a al ai ale lui ei un o unei unui
		mai foarte dar sau din prin după până fără despre să se te îmi mi îți ne vă le acest această aceste
		acel eu tu el ea noi voi ele meu mea mei mele tău bine bun bună mulțumesc mulţumesc tot toate toți
		când unde cum dacă doar încă deja aici acolo asta aceasta`,
	lPL: `i w z na nie się to jest że do o a jak ale co tak za od po są był była było były być mam ma mamy mają
		może można bardzo już jeszcze tylko też także lub albo czy gdy kiedy gdzie bo ten ta te tego tej tym
		ich jego jej mnie mi mój moja nas nam wy my oni one ja ty on ona ono dla przez przy pod nad bez ze we
		u wszystko wszystkie dobrze dobry dobra dziękuję polecam jedzenie obsługa miejsce`,
	lCS: `a i v ve na je se s z ze do o k že to ten ta ty tak jak ale co by být jsem jsi jsme jste jsou byl byla
		bylo byli má mají mám není nebo když kde pro při po od za pod nad bez jeho její jejich mě mi mne nás
		vás my vy oni ona on já také už ještě jen velmi moc dobře dobrý děkuji všechno všichni`,
	lSK: `a i v vo na je sa s z zo do o k že to ten tá tak ako ale čo by byť som si sme ste sú bol bola bolo boli
		má majú mám nie alebo keď kde pre pri po od za pod nad bez jeho jej ich mňa mi nás vás my vy oni ona
		on ja ty tiež už ešte len veľmi dobre dobrý ďakujem všetko`,
	lHR: `i u je se na da za su od sa s ne to a ali kao što sto ili koji koja koje ovo ova ovaj taj ta bio bila
		bilo biti sam si smo ste nije jer kada kad gdje gde ima nema samo još već vrlo jako dobro hvala sve
		svi mi vi oni ona on ja ti iz do po pri kod`,
	lSL: `in je se na da za so od s z ne to a ali kot ki pa bil bila bilo biti sem si smo ste ni ker ko kje ima
		nima samo še že zelo dobro hvala vse vsi mi vi oni ona on jaz ti iz do po pri tudi`,
	lHU: `a az és egy hogy nem is van volt vagy de meg már csak még ez azt ezt nagyon mint ha kell lesz voltak
		vannak én te ő mi ti ők minden sok jó köszönöm itt ott akkor amikor mert ami aki amely után előtt
		között nélkül alatt felett szerint`,
	lFI: `ja on ei se että oli ovat olla mutta kuin myös tai kun jos niin tämä tuo nämä ne hän minä sinä me te he
		mitä mikä kuka missä miten koska vain vielä jo hyvin erittäin paljon kaikki hyvä kiitos ole olen olet
		olemme ruoka`,
	lET: `ja on ei see et oli olid olla aga kui ka või kus nii need tema mina sina meie teie nemad mis kes kuidas
		sest ainult veel juba väga palju kõik hea aitäh ole olen`,
	lSV: `och att det som en ett är var på i av för med till den inte har jag du han hon vi ni de dem om men så
		kan ska skulle också från eller när där här hur vad vem vilken mycket bra tack alla allt inget nu bara
		redan efter innan mot utan min mitt mina din vår vårt deras hans hennes sin ja`,
	lDA: `og at det som en et er var på i af av for med til den ikke har jeg du han hun vi dere de dem om men så
		kan skal skulle også fra eller når hvor her hvordan hva hvad hvem meget mye godt tak takk alle alt
		ingen nu nå bare allerede efter etter før mod mot uden uten min mit mine din vores vår deres hans
		hennes sin ja`,
	lIS: `og að það sem er var á í af fyrir með til ekki hef ég þú hann hún við þið þeir um en svo getur mjög takk
		allt núna bara líka`,
	lTR: `ve bir bu da de için ile çok ama gibi daha ne var yok olan olarak her şey ben sen o biz siz onlar mi mı
		mu mü değil ki kadar sonra önce göre çünkü eğer veya ya hem hiç iyi güzel teşekkürler teşekkür ederim
		yemek`,
	lID: `yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena ada atau bisa sudah
		tapi kami kita mereka dia anda sangat lebih banyak hanya bagus enak terima kasih makanan tempat
		pelayanan`,
	lTL: `ang ng sa na mga ay si ko mo ka niya siya ito iyan iyon para hindi wala pero kung din rin lang po ba
		naman talaga salamat`,
	lSW: `na ya wa kwa ni za katika kama lakini hii hiyo huo sana asante mimi wewe yeye sisi ninyi wao hapa pia
		bado tu`,
	lVI: `và của có không được cho những một các này với người trong để rất`,
	lLT: `ir yra kad į su iš ne bet kaip tai buvo labai ar jis ji mes jūs jie aš tu čia ten taip dar jau tik už
		per`,
	lLV: `un ir ka ar no uz par bet kā tas tā bija ļoti vai viņš viņa mēs jūs viņi es tu šeit tur jā vēl jau
		tikai`,
	lSQ: `dhe në të një për me është nga që nuk por si ka janë ishte shumë edhe ky kjo ai ajo unë ti ne ju ata
		faleminderit mirë`,
	lEU: `eta da ez bat du dira zen baina oso ere hau hori hura ni zu gu zuek eskerrik asko ondo`,
	lGA: `agus na ar ní tá bhí mé tú sé sí muid sibh siad ach mar seo sin`,
	lCY: `a ac y yr yn i o ar mae roedd ond fel hefyd iawn diolch ei eu fy dy ni chi nhw hyn hwn hon`,
	lLA: `et in est non ad cum sed ut quod qui quae quam sunt esse enim per ab ex de hic haec hoc atque etiam`,
	lEO: `la kaj de en estas al ne por kun mi vi li ŝi ni ili sed ankaŭ tre bona dankon`,
}

// Cyrillic function words. Russian's list also holds very frequent words
// that Bulgarian, Ukrainian and Serbian spell differently, so that absence of
// any cue still leans Russian (the only Cyrillic answer).
var cyrWords = [nCyr]string{
	cRU: `и в не на я что он с это как а то все всё она так его но да ты к у же вы за бы по только ее её мне было
		вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
		нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
		была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем
		ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец
		два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя
		впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
		очень также который которые которая которое которых спасибо отлично та со во добро`,
	cUK: `і та що це з у в до на не він вона вони ми ви я був була було були дуже тільки вже якщо або
		щоб є немає його її їх мені тут де який яка які також теж ще можна треба буде бути для від за
		про але все дякую чи без після через`,
	cBE: `і ў што гэта як з у ў да на не ён яны мы вы я быў была было былі вельмі толькі ўжо калі або
		каб ёсць няма яго яе іх мне тут дзе які якая якія таксама яшчэ можна трэба будзе можа для за пра
		але ўсё дзякуй ці`,
	cBG: `е и в не на да се за от с са съм си сме сте ще това този тази тези които който която което във
		със към беше бяха обаче защото нещо всички някой когато където какво ако но или при през пред
		между най ли ги му ѝ ни също трябва бъде има нито много как тук там почти`,
	cSR: `и у је се на да за од са с не то а као што или који која које ово ова овај тај та био била било
		сам си смо сте није јер где има нема само још већ врло јако добро све сви ми ви
		они она он ја ти из до по при`,
	cMK: `е и на се да за од со во не ќе што како ги тоа таа тој има нема но или кој која кое тие ние вие
		јас ти беше многу сѐ само уште веќе`,
}

// latinLetterMask gives, for non-ASCII Latin letters, the languages whose
// orthography uses them: "ñ" is Spanish evidence, "é" is evidence for French
// and many others but never for English. Indexed by rune-0xC0, lower case.
var latinLetterMask [0x250 - 0xC0]uint64

var cyrLetterMask [0x530 - 0x400]uint8

var (
	latinIndex map[string]uint64
	cyrIndex   map[string]uint8
)

// maxWordBytes bounds the words kept for lookup (32 Cyrillic letters);
// longer ones are still counted for their script and letters.
const maxWordBytes = 64

func bit(ls ...int) uint64 {
	var m uint64
	for _, l := range ls {
		m |= 1 << uint(l)
	}
	return m
}

func init() {
	latinIndex = make(map[string]uint64, 2048)
	for l, list := range latinWords {
		for _, w := range strings.Fields(list) {
			latinIndex[w] |= 1 << uint(l)
		}
	}
	cyrIndex = make(map[string]uint8, 1024)
	for l, list := range cyrWords {
		for _, w := range strings.Fields(list) {
			cyrIndex[w] |= 1 << uint(l)
		}
	}

	set := func(letters string, m uint64) {
		for _, r := range letters {
			latinLetterMask[r-0xC0] |= m
		}
	}
	// Any other letter of the Latin-1 and Extended-A/B blocks is evidence
	// for an unlisted language.
	for i := range latinLetterMask {
		latinLetterMask[i] = bit(lXX)
	}
	for _, r := range "×÷" { // not letters
		latinLetterMask[r-0xC0] = 0
	}
	clear := func(letters string) {
		for _, r := range letters {
			latinLetterMask[r-0xC0] = 0
		}
	}
	clear("àâäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœāăąćčďđēėęěğīįıķļľłńņňőŕřśşšţťūůűųźżžșțơư")
	set("à", bit(lFR, lPT, lIT, lCA, lVI))
	set("â", bit(lFR, lPT, lRO, lTR, lVI))
	set("ä", bit(lDE, lSV, lFI, lET, lSK))
	set("å", bit(lSV, lDA))
	set("æ", bit(lDA, lIS))
	set("ç", bit(lFR, lPT, lCA, lTR, lSQ))
	set("è", bit(lFR, lIT, lCA, lVI))
	// "é" is in Spanish, Italian and Catalan too, but rare there (they have
	// "á", "è", "ò"), while nearly every French sentence has it.
	set("é", bit(lFR, lPT, lCS, lSK, lHU, lIS, lGA, lVI))
	set("ê", bit(lFR, lPT, lVI, lAF))
	set("ë", bit(lFR, lNL, lAF, lSQ))
	set("ì", bit(lIT, lVI))
	set("í", bit(lES, lPT, lCA, lCS, lSK, lHU, lIS, lGA, lVI))
	set("î", bit(lFR, lRO))
	set("ï", bit(lFR, lNL, lCA, lAF))
	set("ð", bit(lIS))
	set("ñ", bit(lES))
	set("ò", bit(lIT, lCA, lVI))
	set("ó", bit(lES, lPT, lCA, lPL, lCS, lSK, lHU, lIS, lGA, lVI))
	set("ô", bit(lFR, lPT, lSK, lVI, lAF))
	set("õ", bit(lPT, lET, lVI))
	set("ö", bit(lDE, lSV, lFI, lET, lHU, lTR, lIS))
	set("ø", bit(lDA))
	set("ù", bit(lFR, lIT, lVI))
	set("ú", bit(lES, lPT, lCS, lSK, lHU, lIS, lGA, lVI))
	set("û", bit(lFR))
	set("ü", bit(lDE, lTR, lHU, lET, lES, lCA))
	set("ý", bit(lCS, lSK, lIS, lVI))
	set("þ", bit(lIS))
	set("ÿ", bit(lFR))
	set("ß", bit(lDE))
	set("œ", bit(lFR))
	set("āēī", bit(lLV))
	set("ū", bit(lLV, lLT))
	set("ėįų", bit(lLT))
	set("ąę", bit(lPL, lLT))
	set("ćńśźżł", bit(lPL))
	set("ć", bit(lHR))
	set("čšž", bit(lCS, lSK, lHR, lSL, lLT, lLV))
	set("ďťň", bit(lCS, lSK))
	set("řůě", bit(lCS))
	set("ľŕ", bit(lSK))
	set("đ", bit(lHR, lVI))
	set("ğı", bit(lTR))
	set("ş", bit(lTR, lRO))
	set("șțţ", bit(lRO))
	set("ă", bit(lRO, lVI))
	set("őű", bit(lHU))
	set("ķļņ", bit(lLV))
	set("ơư", bit(lVI))

	// Cyrillic: letters outside the Russian alphabet are evidence against it.
	for i := range cyrLetterMask {
		cyrLetterMask[i] = 1 << cXX
	}
	for r := 'а'; r <= 'я'; r++ {
		cyrLetterMask[r-0x400] = 0
	}
	cyrLetterMask['ё'-0x400] = 1<<cRU | 1<<cBE
	cyrLetterMask['ы'-0x400] = 1<<cRU | 1<<cBE
	cyrLetterMask['э'-0x400] = 1<<cRU | 1<<cBE
	cyrLetterMask['і'-0x400] = 1<<cUK | 1<<cBE | 1<<cXX
	cyrLetterMask['ї'-0x400] = 1 << cUK
	cyrLetterMask['є'-0x400] = 1 << cUK
	cyrLetterMask['ґ'-0x400] = 1 << cUK
	cyrLetterMask['ў'-0x400] = 1 << cBE
	for _, r := range "ђћ" {
		cyrLetterMask[r-0x400] = 1 << cSR
	}
	for _, r := range "јљњџ" {
		cyrLetterMask[r-0x400] = 1<<cSR | 1<<cMK
	}
	for _, r := range "ѓќѕ" {
		cyrLetterMask[r-0x400] = 1 << cMK
	}
}
