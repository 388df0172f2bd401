//! The catalogue screen's rules over a city-sized index: 2 000 generated entries (the programme
//! will publish about a thousand, with room to grow), searched without diacritics and with
//! Telex leftovers, narrowed by the four filters.

use std::collections::BTreeMap;

use disan_format::catalog::{CatalogEntry, CatalogIndex};
use disan_format::catalog_view::{CatalogBrowser, CatalogFilter, Facet};

/// Kinds of relic as their names begin, villages and communes of Hải Phòng (names as written
/// on the city's lists; the combinations are generated, not real relics).
const RELICS: [&str; 6] = ["Đình", "Chùa", "Đền", "Miếu", "Nghè", "Phủ"];
const VILLAGES: [&str; 10] = [
    "Dư Hàng",
    "Kiến Thiết",
    "Đông Khê",
    "Trà Phương",
    "Nam Hải",
    "Lũng Đông",
    "Phù Liễn",
    "Thủy Nguyên",
    "Tiên Lãng",
    "Vĩnh Bảo",
];
const COMMUNES: [&str; 5] = ["Lê Chân", "An Biên", "Kiến An", "Thủy Nguyên", "Đồ Sơn"];
const DISTRICTS: [&str; 4] = ["Lê Chân", "Kiến An", "Thủy Nguyên", "Đồ Sơn"];
const RANKS: [&str; 3] = ["national", "city", "inventory"];

fn entry(i: usize, title_vi: &str, title_en: &str, kind: &str) -> CatalogEntry {
    CatalogEntry {
        id: format!("relic-{i:04}"),
        path: format!("relic-{i:04}"),
        title: BTreeMap::from([
            ("vi".to_owned(), title_vi.to_owned()),
            ("en".to_owned(), title_en.to_owned()),
        ]),
        kind: kind.to_owned(),
        rank: RANKS[i % RANKS.len()].to_owned(),
        commune: Some(COMMUNES[i % COMMUNES.len()].to_owned()),
        province: Some("Hải Phòng".to_owned()),
        former_district: (i % 7 != 0).then(|| DISTRICTS[i % DISTRICTS.len()].to_owned()),
        address: None,
        wgs84: Some([
            20.7 + (i % 40) as f64 * 0.005,
            106.5 + (i / 40) as f64 * 0.005,
        ]),
        thumbnail: None,
        poster: None,
        license: "CC-BY-4.0".to_owned(),
        holder: "Bảo tàng Hải Phòng".to_owned(),
        languages: vec!["vi".to_owned(), "en".to_owned()],
        lods: Vec::new(),
        bytes: 1_000_000,
    }
}

fn city_index() -> CatalogIndex {
    let mut entries: Vec<CatalogEntry> = (0..1999)
        .map(|i| {
            let relic = RELICS[i % RELICS.len()];
            let village = VILLAGES[(i / RELICS.len()) % VILLAGES.len()];
            let kind = if (i / 7) % 2 == 0 {
                "artifact"
            } else {
                "monument"
            };
            entry(
                i,
                &format!("{relic} {village} {i}"),
                &format!("{village} {i}"),
                kind,
            )
        })
        .collect();
    let mut house = entry(
        1999,
        "Đình Hàng Kênh",
        "Hàng Kênh Communal House",
        "monument",
    );
    house.rank = "national".to_owned();
    house.commune = Some("An Biên".to_owned());
    house.former_district = Some("Lê Chân".to_owned());
    entries.push(house);
    CatalogIndex {
        format: disan_format::catalog::CATALOG_FORMAT,
        title: BTreeMap::from([("vi".to_owned(), "Di sản Hải Phòng".to_owned())]),
        entries,
    }
}

fn ids(browser: &CatalogBrowser, found: &[usize]) -> Vec<String> {
    found
        .iter()
        .map(|&i| browser.entries()[i].id.clone())
        .collect()
}

fn typed(text: &str) -> CatalogFilter {
    CatalogFilter {
        text: text.to_owned(),
        ..CatalogFilter::default()
    }
}

#[test]
fn typed_without_diacritics_or_with_telex_the_communal_house_is_found() {
    // Through the index's JSON, as a viewer reads it.
    let browser = CatalogBrowser::new(CatalogIndex::from_json(&city_index().to_json()).unwrap());
    assert_eq!(browser.entries().len(), 2000);
    for text in [
        "dinh hang kenh",
        "Đình Hàng Kênh",
        "ddinhf hangf keenh",
        "DINH HANG K",
    ] {
        let found = browser.matching(&typed(text));
        assert_eq!(ids(&browser, &found), ["relic-1999"], "typed {text:?}");
    }
    // "dd" is đ (and, folded, d): it finds every đình and đền; whatever it finds has a word
    // starting with đ or d.
    let found = browser.matching(&typed("dd"));
    for &i in &found {
        let e = &browser.entries()[i];
        let words = format!(
            "{} {} {}",
            e.title["vi"],
            e.commune.as_deref().unwrap_or(""),
            e.former_district.as_deref().unwrap_or("")
        );
        assert!(
            disan_format::search::fold(&words)
                .split(' ')
                .any(|w| w.starts_with('d')),
            "{words} has no word starting with đ or d"
        );
    }
    let with_d = browser
        .entries()
        .iter()
        .filter(|e| e.title["vi"].starts_with("Đình") || e.title["vi"].starts_with("Đền"))
        .count();
    let found_d = found
        .iter()
        .filter(|&&i| {
            let t = &browser.entries()[i].title["vi"];
            t.starts_with("Đình") || t.starts_with("Đền")
        })
        .count();
    assert_eq!(found_d, with_d);
    // English titles are searched too; nothing typed is everything.
    assert_eq!(
        ids(&browser, &browser.matching(&typed("communal house"))),
        ["relic-1999"]
    );
    assert_eq!(browser.matching(&typed("")).len(), 2000);
    assert!(browser.matching(&typed("khong co dau")).is_empty());
}

#[test]
fn the_four_filters_narrow_together_with_the_search() {
    let browser = CatalogBrowser::new(city_index());
    assert_eq!(browser.values(Facet::Kind), ["artifact", "monument"]);
    assert_eq!(
        browser.values(Facet::Rank),
        ["city", "inventory", "national"]
    );
    // Sorted by letters without marks: Đồ Sơn between An Biên and Kiến An.
    assert_eq!(
        browser.values(Facet::Commune),
        ["An Biên", "Đồ Sơn", "Kiến An", "Lê Chân", "Thủy Nguyên"]
    );
    let mut filter = CatalogFilter {
        kind: Some("monument".to_owned()),
        rank: Some("national".to_owned()),
        commune: Some("An Biên".to_owned()),
        former_district: Some("Lê Chân".to_owned()),
        ..CatalogFilter::default()
    };
    let found = browser.matching(&filter);
    let expected: Vec<usize> = browser
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.kind == "monument"
                && e.rank == "national"
                && e.commune.as_deref() == Some("An Biên")
                && e.former_district.as_deref() == Some("Lê Chân")
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(found, expected);
    assert!(
        found.len() > 1 && found.len() < 200,
        "{} found",
        found.len()
    );
    filter.text = "hang kenh".to_owned();
    assert_eq!(ids(&browser, &browser.matching(&filter)), ["relic-1999"]);
    // An entry without a former district is let through only when that filter is off.
    filter = CatalogFilter::default();
    filter.set(Facet::FormerDistrict, Some("Kiến An".to_owned()));
    assert!(
        browser
            .matching(&filter)
            .iter()
            .all(|&i| browser.entries()[i].former_district.is_some())
    );
}
