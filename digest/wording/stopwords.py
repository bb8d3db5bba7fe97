"""Function words of the languages our sources write in, for the clustering tokeniser.

Job: a frozen set of words that say nothing about *which* story a text tells (articles,
pronouns, auxiliaries, prepositions, conjunctions, newsroom filler such as "said"), so that
two reports are compared by what they are about. Must not hold content words: a word listed
here can never link two stories, and one wrongly listed can hide a real link.
Lists are casefolded and hand-made (English, Danish, Dutch, French, German, Italian,
Norwegian, Portuguese, Russian, Spanish, Swedish; Arabic, Greek, Hebrew, Hindi, Turkish);
CJK and Thai text needs none (it is compared by character bigrams).
"""

from __future__ import annotations

_EN = """
a about above after again against ago all almost also although am among an and another
any are around as at back be because been before being below between both but by can
could did do does doing done down during each either else even ever every few for from
further get gets got had has have having he her here hers herself him himself his how
however i if in into is it its itself just last least less like made make many may me
might more most much must my myself near new next no nor not now of off often on once
one only or other others our ours ourselves out over own per perhaps rather really same
say says said see seen several shall she should since so some still such than that the
their theirs them themselves then there these they this those though through thus to
told too toward two under until up upon us very via was we were what whatever when
where whether which while who whom whose why will with within without would yet you
your yours yourself yourselves according across already always amid around away
called come comes day days first go going just know later least made make makes mr mrs
ms dr monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
week year years time times way well went including percent re ll ve
"""

_ES = """
a al algo algunos ante antes aquí así aunque bajo bien cada como con contra cual cuando
de del desde donde dos el ella ellas ello ellos en entre era eran es esa ese eso esta
está están este esto estos fue fueron ha había han hasta hay la las le les lo los más
me mi muy nada ni no nos o otra otro otros para pero poco por porque que qué se sea
según ser si sí sido sin sobre son su sus también tan tanto te tiene tienen todo todos
tras un una uno unos y ya año años dijo
"""

_PT = """
ao aos as à às com como da das de dela dele depois do dos e é ela ele eles em entre era
essa esse esta está este foi foram há isso já mais mas me muito na nas não no nos o os
ou para pela pelo por qual quando que se sem ser seu seus sua suas são também tem um
uma umas uns disse
"""

_FR = """
à au aussi autre aux avait avant avec ce cela celle ces cet cette comme dans de des
deux donc du elle elles en encore entre est et été être eu fait il ils je la le les
leur leurs lui mais me même mes moi ne ni nos notre nous on ont ou où par pas peu plus
pour qu que quel qui sa sans se selon ses si son sont sous sur ta te tous tout toute
très tu un une vous y année ans dit
"""

_IT = """
a al alla alle anche che chi ci come con da dal dalla dei del della delle di e è era gli
ha hanno i il in la le lo ma mi ne nel nella non o per più quando questa questo se si
sono su sua suo sul sulla tra un una uno
"""

_DE = """
aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den
der des die dies diese diesem diesen dieser doch dort du durch ein eine einem einen
einer eines er es für gegen hat hatte hatten ich ihm ihn ihr ihre im in ist jahr jahre
kann kein keine man mehr mit nach nicht noch nun nur ob oder ohne schon sei seit sich
sie sind so sowie über um und uns unter vom von vor war waren was weil wenn werden wie
wieder wir wird wurde wurden zu zum zur zwei sagte
"""

_NL = """
aan al als bij dan dat de die dit door een en er had heeft het hij hoe ik in is je
maar met na naar niet nog nu of om ons ook op over te tot uit van voor was wat werd
wie wordt zich zij zijn
"""

_NORDIC = """
af alle at blev blive bliver da de dem den denne der det dette du efter eller en er et
for fra har hun hvad hvis hvor i ikke jeg kan man med men mod nu når og om op os på
sig sin skal som til ud under var vi vil være också och inte är att av för från han
hade hon jag mot med nu om på sig sin som till var vid åt ble blir ikke og på seg
som til var ved år
"""

_RU = """
а без бы был была были было в вам вас весь во вот все всех вы где да для до его ее
если есть еще же за и из или им их к как когда кто ли между меня мне мы на над не него
нее нет ни но о об однако он она они оно от по под после при с со так также там то
тогда того тоже только том ты у уже чем что чтобы эта эти это этот я год года лет
"""
_AR = """
في من إلى الى على عن أن ان إن لا ما لم لن قد كان كانت يكون تكون هذا هذه ذلك تلك التي الذي
الذين هناك هنا قال قالت وقال وقالت أو او ثم حتى بين بعد قبل عند مع كل أي غير منذ خلال حيث
هو هي هم نحن أنا وهو وهي وفي ومن وعلى وأن وإن وكان ولا وما أكثر أيضا لكن بل فقط كما وقد فيه
فيها منه منها عليه عليها إليه إليها به بها له لها لدى ضمن نحو عبر إنه أنه إنها أنها وذلك
حول يوم اليوم أمس الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت عام العام
"""
_HE = """
של את על עם אל גם כי לא זה זו זאת הוא היא הם הן אני אנחנו או אם כל כמו יותר אבל רק עוד כך
היה הייתה היו יהיה אשר לפי בין אחרי לפני אמר אמרה אמרו היום אתמול שנה יום
"""
_HI = """
का के की को में ने से पर है हैं था थी थे और कि यह वह ये वे भी तो ही इस उस इन उन जो कर
करने किया किए गया गई गए हो होगा होगी होंगे रहा रही रहे लिए साथ बाद तक या अपने अपनी कहा
बताया अनुसार द्वारा नहीं एक दो अब आज कल वर्ष साल दिन
"""
_TR = """
ve ile bir bu şu o da de için gibi ama fakat çok daha en ne mi mı mu mü olarak olan oldu
olduğu ise ki ya veya her göre sonra önce kadar ancak diye dedi bugün dün yıl gün
"""
_EL = """
και το τα της του των την τον τη η ο οι σε στο στη στην στον στα στις στους με για από που
θα να δεν ότι είναι ήταν ένα ένας μια μία ως όπως αλλά ή επίσης κατά μετά πριν έως προς αυτό
αυτή αυτός αυτά τους τις μας σας είπε σήμερα χθες
"""

STOPWORDS: frozenset[str] = frozenset(
    word.casefold()
    for block in (_EN, _ES, _PT, _FR, _IT, _DE, _NL, _NORDIC, _RU, _AR, _HE, _HI, _TR, _EL)
    for word in block.split()
)
