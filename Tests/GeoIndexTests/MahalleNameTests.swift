import XCTest
// The same file runs in the scratch package (module Population) and in taskmap (module GeoIndex).
#if canImport(Population)
import Population
#else
import GeoIndex
#endif

final class MahalleNameTests: XCTestCase {
    func testKeys() {
        let cases: [(String, String)] = [
            ("İsmet Paşa Mh.", "ismetpasa"),
            ("İSMETPAŞA MAHALLESİ", "ismetpasa"),
            ("Ismet Pasa Mah", "ismetpasa"),
            ("Turan Mah.", "turan"),
            ("Aksu Mh", "aksu"),
            ("Aksu MAH.", "aksu"),
            ("  Ağabeyli   Mah. ", "agabeyli"),
            ("Şehitler Mahalle", "sehitler"),
            ("ÇINARLI MH.", "cinarli"),
            ("Çınarlı Mh.", "cinarli"),
            // TÜİK's own typo (dotless ı in "Cumhuriyet") and a polygon's missing cedilla.
            ("Cumhurıyet Mah.", "cumhuriyet"),
            ("Kasnakcımermer Mh.", "kasnakcimermer"),
            ("Kasnakçımermer Mah.", "kasnakcimermer"),
            ("Âşıkveysel Mah.", "asikveysel"),
            ("Hacı Saki Mh.", "hacisaki"),
            ("75. Yıl Mah.", "75yil"),
            ("Beşeylül (Merkez) Mah.", "beseylulmerkez"),
            // Suffixes only as the last word.
            ("Mahmutlar Mah.", "mahmutlar"),
            ("Yeniköy", "yenikoy"),
            ("Akpınar Köyü", "akpinar"),
            ("Akpınar Köy", "akpinar"),
            ("Mahalle", "mahalle"),
            ("Organize Sanayi Bölgesi", "organizesanayibolgesi"),
            ("Süleymaniye OSB", "suleymaniyeosb"),
            // Decomposed input: "S" + combining cedilla, "I" + combining dot above.
            ("S\u{0327}ehitler Mh.", "sehitler"),
            ("I\u{0307}smet Pas\u{0327}a Mh.", "ismetpasa"),
            ("", ""),
        ]
        for (name, key) in cases {
            XCTAssertEqual(MahalleName.key(name), key, "key(\(name))")
        }
    }

    func testSpellingsShareOneKey() {
        let k = MahalleName.key("İsmet Paşa Mh.")
        XCTAssertEqual(MahalleName.key("İSMETPAŞA MAHALLESİ"), k)
        XCTAssertEqual(MahalleName.key("Ismet Pasa Mah"), k)
    }

    func testDistrictKeys() {
        let cases: [(String, String)] = [
            ("Dulkadiroğlu", "dulkadiroglu"),
            ("Dulkadiroğlu Bel.", "dulkadiroglu"),
            ("İNEGÖL BELEDİYESİ", "inegol"),
            ("Onikişubat", "onikisubat"),
            ("ILKADIM", "ilkadim"),
            ("İlkadım", "ilkadim"),
            ("Karşıyaka", "karsiyaka"),
            // No mahalle suffix removal for districts.
            ("Merkez Mah.", "merkezmah"),
            ("Bel.", "bel"),
        ]
        for (name, key) in cases {
            XCTAssertEqual(MahalleName.districtKey(name), key, "districtKey(\(name))")
        }
    }
}
