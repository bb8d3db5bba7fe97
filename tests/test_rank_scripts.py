"""Ranking editions in scripts other than the Latin: the same story told by two outlets
is one story ("Also in"), and two different stories stay two, when the words are
Hindi (letters with vowel signs), Arabic (no function words of its own listed), Thai
(no spaces between words), Japanese or Chinese, built by the real pipeline from feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_scripts_editions import Items, build

# Two outlets; each tells one story twice (the same event) and one of its own, which
# shares the newsroom's stock phrases with it ("the minister said on Thursday that").
HINDI = (
    [
        (
            "संसद में शिक्षा विधेयक पेश, स्कूलों में मुफ्त भोजन",
            "केंद्र सरकार ने गुरुवार को संसद में नया शिक्षा विधेयक पेश किया। विधेयक के तहत सभी "
            "सरकारी स्कूलों में मुफ्त भोजन दिया जाएगा। शिक्षा मंत्री ने कहा कि इससे लाखों बच्चों "
            "को लाभ होगा।",
        ),
        (
            "मुंबई में भारी बारिश, लोकल ट्रेनें बाधित",
            "मुंबई में भारी बारिश के कारण कई इलाकों में पानी भर गया। लोकल ट्रेन सेवाएं बाधित रहीं "
            "और स्कूल बंद कर दिए गए।",
        ),
    ],
    [
        (
            "स्कूली बच्चों को मुफ्त भोजन: शिक्षा विधेयक संसद में पेश",
            "शिक्षा मंत्री ने संसद में नया विधेयक पेश किया, जिसके तहत सरकारी स्कूलों के बच्चों को "
            "मुफ्त भोजन मिलेगा। मंत्री के अनुसार लाखों बच्चों को इसका लाभ मिलेगा।",
        ),
        (
            "दिल्ली सरकार की नई इलेक्ट्रिक वाहन नीति",
            "दिल्ली सरकार ने गुरुवार को नई इलेक्ट्रिक वाहन नीति की घोषणा की। सरकार के अनुसार नई "
            "नीति के तहत वाहन खरीदने वालों को सब्सिडी मिलेगी। मंत्री ने कहा कि इससे प्रदूषण कम होगा।",
        ),
    ],
)
ARABIC = (
    [
        (
            "افتتاح مستشفى جديد في الإسكندرية",
            "أعلنت وزارة الصحة يوم الخميس عن افتتاح مستشفى جديد في مدينة الإسكندرية. وقال الوزير "
            "في مؤتمر صحفي إن المستشفى سيخدم أكثر من مليون مواطن.",
        ),
        (
            "خطة لتطوير ألف مدرسة في القاهرة",
            "أعلنت وزارة التعليم يوم الخميس عن خطة جديدة لتطوير المدارس في مدينة القاهرة. وقال "
            "الوزير في مؤتمر صحفي إن الخطة ستشمل أكثر من ألف مدرسة.",
        ),
    ],
    [
        (
            "وزارة الصحة تفتتح مستشفى الإسكندرية الجديد",
            "افتتحت وزارة الصحة مستشفى جديدا في الإسكندرية يوم الخميس، وقال الوزير إن المستشفى "
            "الجديد سيخدم أكثر من مليون شخص.",
        ),
        (
            "الذهب يرتفع 3% في أسبوع",
            "ارتفعت أسعار الذهب في الأسواق المحلية بنسبة ثلاثة في المئة خلال الأسبوع الماضي.",
        ),
    ],
)
THAI = (
    [
        (
            "กทม.สั่งปิดโรงเรียนทุกแห่งวันจันทร์ เหตุฝุ่นพีเอ็มสองจุดห้าเกินมาตรฐาน",
            "กรุงเทพมหานครประกาศปิดโรงเรียนทุกแห่งในวันจันทร์ เนื่องจากฝุ่นพีเอ็มสองจุดห้าสูงเกิน"
            "มาตรฐาน ผู้ว่าราชการกรุงเทพมหานครกล่าวว่ามาตรการนี้จะใช้จนกว่าคุณภาพอากาศจะดีขึ้น",
        ),
        (
            "แบงก์ชาติคงดอกเบี้ยนโยบายร้อยละสองจุดห้า",
            "ธนาคารแห่งประเทศไทยมีมติคงอัตราดอกเบี้ยนโยบายไว้ที่ร้อยละสองจุดห้า "
            "คณะกรรมการนโยบายการเงินระบุว่าเศรษฐกิจไทยยังฟื้นตัวอย่างต่อเนื่อง",
        ),
    ],
    [
        (
            "ผู้ว่าฯ กทม.ปิดโรงเรียนทุกแห่งวันจันทร์ หลังฝุ่นพีเอ็มสองจุดห้าสูง",
            "ผู้ว่าราชการกรุงเทพมหานครสั่งปิดโรงเรียนทุกแห่งวันจันทร์นี้ หลังค่าฝุ่นพีเอ็มสองจุดห้าสูงเกินมาตรฐานหลายพื้นที่",
        ),
        (
            "นักวิทยาศาสตร์ค้นพบกบสายพันธุ์ใหม่ที่ดอยอินทนนท์",
            "นักวิทยาศาสตร์ค้นพบกบสายพันธุ์ใหม่ในป่าดอยอินทนนท์ จังหวัดเชียงใหม่",
        ),
    ],
)
CHINESE = (
    [
        (
            "上海地铁十九号线明年一月开通",
            "上海市政府二十六日宣布，地铁十九号线将于明年一月正式开通运营。这条线路全长四十七公里，"
            "设有三十五座车站，连接浦东新区和闵行区。",
        ),
        (
            "北京迎来今冬首场降雪",
            "北京市二十六日迎来今冬首场降雪，市区积雪达到五厘米。首都机场取消航班一百余架次。",
        ),
    ],
    [
        (
            "上海地铁19号线将于明年1月开通运营",
            "上海地铁十九号线明年一月开通。据上海市政府二十六日消息，该线路全长四十七公里，"
            "共设三十五座车站，连通浦东新区与闵行区。",
        ),
        (
            "上海明年提高最低工资标准",
            "上海市政府二十六日宣布，明年起将提高最低工资标准，月最低工资从二千六百九十元调整为二千八百元。",
        ),
    ],
)


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("hi", *HINDI), ("ar", *ARABIC), ("th", *THAI), ("zh", *CHINESE)],
    ids=["hindi", "arabic", "thai", "chinese"],
)
def test_one_story_from_two_outlets_is_one_and_two_stories_stay_two(
    tmp_path: Path, language: str, first: Items, second: Items
) -> None:
    """Before, a Hindi word was cut at each vowel sign ("सरकार" into "सरक" and "र", most
    pieces one letter and dropped), so little but stock phrases was left to compare;
    and Arabic's "في", "من", "إن", "قال" were not known as function words: in both the
    other story of the second outlet was folded into the first outlet's lead and
    vanished from the edition (the outlet named twice under "Also in")."""
    _, edition = build(tmp_path, {"Outlet A": (language, first), "Outlet B": (language, second)})
    stories = {s.title: sorted(a.source for a in s.also) for s in edition.stories}
    assert stories == {
        first[0][0]: ["Outlet B"],  # the same event, told by both
        first[1][0]: [],
        second[1][0]: [],
    }, stories


def test_a_turkish_capital_dotted_i_is_the_same_word_as_its_small_letter() -> None:
    """Casefolded, "İ" is "i" and a combining dot: "İçin" (for) was cut into "i" and
    "çin" (China), "İstanbul" into "i" and "stanbul", never the same word as "için" or
    "istanbul" in the text below a headline."""
    from digest.rank.terms import tokens

    assert tokens("İstanbul'da İÇİN İçin") == tokens("istanbul'da için için")
    assert tokens("İstanbul'da İçin") == ["istanbul", "da", "için"]
