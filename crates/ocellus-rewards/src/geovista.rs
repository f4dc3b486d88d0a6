//! GeoVista's hierarchical geolocation reward.
//!
//! **Source.** GeoVista (arXiv 2511.15705), ekonwang/GeoVista at commit `df320371`,
//! `verl/utils/reward_score/search_agent.py` (`compure_score_search`): score 4 if the city is
//! right, else 2 if the state/province is right, else 1 if the country is right, else 0. The
//! levels come from `eval_geolocation_response` in `utils_geo.py`, which in training asks an
//! LLM judge and, when the judge fails (or with `model_verifier=False`), uses its rule-based
//! check `rule_based` (l.79-99): the response is normalised by `_normalize_text` (NFKD, drop
//! non-ASCII, lower case, every character other than `a-z0-9` a space, spaces collapsed) and a
//! level is right when its gold name, normalised the same way, occurs in it as a whole term
//! (`_contains_whole_term`, `(?<!\w)name(?!\w)`). The response is the completion after its
//! last `assistant` (`compure_score_search` l.10). The gold keys are `city`,
//! `province_or_state` (else `state`) and `country`.
//!
//! We reproduce that rule-based check; [`GeoRule`] says which text it searches:
//! - [`GeoRule::AnswerParts`] (the default): the answer read by [`GeoVista::source`] (the last
//!   `<answer>` block or `\boxed{}`), which must have at most 4 parts separated by `,` `;` or
//!   line breaks (or be a JSON object with `city`, `state`/`province`/`region`, `country`).
//! - [`GeoRule::Reference`]: the whole completion after its last `assistant`, any length, as
//!   `compure_score_search` passes it to the rule-based check.
//!
//! **Deviations**
//! 1. The LLM judge (`chat_4o_mini`, which replaces the rule-based result whenever it answers)
//!    is not called: only the rule-based check is reproduced, so synonyms and spelling variants
//!    the judge would accept are missed. To make up for part of this, a gold name may list
//!    aliases separated by `|` (`"New York City|NYC"`); a gold without `|` is the reference's.
//! 2. By default only the answer is searched, not the reasoning: the reference's check pays 4
//!    when the city is named anywhere in the last turn (`"not Paris but Lyon"` is right for
//!    Paris). An answer of more than 4 parts is [`Verdict::Malformed`], so a list of candidate
//!    cities does not pay (the reference pays it). [`GeoRule::Reference`] has neither rule.
//! 3. A gold without a country is [`Verdict::GoldUnparseable`]; the reference scores such a
//!    row (its country level is never right). Non-string gold values count as absent (the
//!    reference's `_normalize_text` raises on them).
//! 4. `_normalize_text`'s NFKD is Python 3.11's (Unicode 14.0, `FOLD_TABLE` below); characters
//!    assigned later are dropped, as an older Python drops them.

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::shapes::first_json;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde_json::Value;
use std::sync::OnceLock;

/// The ASCII residue of every non-ASCII character whose NFKD decomposition contains ASCII
/// (Python 3.11, Unicode 14.0: `unicodedata.normalize("NFKD", c).encode("ascii", "ignore")`),
/// already lower-cased with every other ASCII character written as a space, which is all
/// `_normalize_text` keeps of it. Entries `a-b=s` (each of a..b gives `s`), `a-b+c` (a gives
/// `c`, the next `c + 1`, …) and `a=s`, hexadecimal, `_` for a space. Other non-ASCII
/// characters give nothing (they are dropped).
const FOLD_TABLE: &str = "\
a0=_;a8=_;aa=a;af=_;b2-b3+2;b4=_;b8=_;b9=1;ba=o;bc=14;bd=12;be=34;c0-c5=a;c7=c;c8-cb=e;\
cc-cf=i;d1-d2+n;d3-d6=o;d9-dc=u;dd=y;e0-e5=a;e7=c;e8-eb=e;ec-ef=i;f1-f2+n;f3-f6=o;f9-fc=u;\
fd=y;ff=y;100-105=a;106-10d=c;10e-10f=d;112-11b=e;11c-123=g;124-125=h;128-130=i;132-133=ij;\
134-135=j;136-137=k;139-140=l;143-149=n;14c-151=o;154-159=r;15a-161=s;162-165=t;168-173=u;\
174-175=w;176-178=y;179-17e=z;17f=s;1a0-1a1=o;1af-1b0=u;1c4-1c6=dz;1c7-1c9=lj;1ca-1cc=nj;\
1cd-1ce=a;1cf-1d0=i;1d1-1d2=o;1d3-1dc=u;1de-1e1=a;1e6-1e7=g;1e8-1e9=k;1ea-1ed=o;1f0=j;\
1f1-1f3=dz;1f4-1f5=g;1f8-1f9=n;1fa-1fb=a;200-203=a;204-207=e;208-20b=i;20c-20f=o;210-213=r;\
214-217=u;218-219=s;21a-21b=t;21e-21f=h;226-227=a;228-229=e;22a-231=o;232-233=y;2b0=h;2b2=j;\
2b3=r;2b7=w;2b8=y;2d8-2dd=_;2e1=l;2e2=s;2e3=x;37a=_;37e=_;384-385=_;1d2c=a;1d2e=b;\
1d30-1d31+d;1d33-1d3a+g;1d3c=o;1d3e=p;1d3f=r;1d40-1d41+t;1d42=w;1d43=a;1d47=b;1d48-1d49+d;\
1d4d=g;1d4f=k;1d50=m;1d52=o;1d56=p;1d57-1d58+t;1d5b=v;1d62=i;1d63=r;1d64-1d65+u;1d9c=c;\
1da0=f;1dbb=z;1e00-1e01=a;1e02-1e07=b;1e08-1e09=c;1e0a-1e13=d;1e14-1e1d=e;1e1e-1e1f=f;\
1e20-1e21=g;1e22-1e2b=h;1e2c-1e2f=i;1e30-1e35=k;1e36-1e3d=l;1e3e-1e43=m;1e44-1e4b=n;\
1e4c-1e53=o;1e54-1e57=p;1e58-1e5f=r;1e60-1e69=s;1e6a-1e71=t;1e72-1e7b=u;1e7c-1e7f=v;\
1e80-1e89=w;1e8a-1e8d=x;1e8e-1e8f=y;1e90-1e95=z;1e96=h;1e97=t;1e98=w;1e99=y;1e9a=a;1e9b=s;\
1ea0-1eb7=a;1eb8-1ec7=e;1ec8-1ecb=i;1ecc-1ee3=o;1ee4-1ef1=u;1ef2-1ef9=y;1fbd=_;1fbf-1fc1=_;\
1fcd-1fcf=_;1fdd-1fdf=_;1fed-1fef=_;1ffd-1ffe=_;2000-200a=_;2017=_;2024=_;2025=__;2026=___;\
202f=_;203c=__;203e=_;2047-2049=__;205f=_;2070=0;2071=i;2074-2079+4;207a=_;207c-207e=_;\
207f=n;2080-2089+0;208a=_;208c-208e=_;2090=a;2091=e;2092=o;2093=x;2095=h;2096-2099+k;209a=p;\
209b-209c+s;20a8=rs;2100=a_c;2101=a_s;2102-2103=c;2105=c_o;2106=c_u;2109-210b+f;210c-210e=h;\
2110-2111=i;2112-2113=l;2115=n;2116=no;2119-211b+p;211c-211d=r;2120=sm;2121=tel;2122=tm;\
2124=z;2128=z;212a=k;212b-212d+a;212f-2130=e;2131=f;2133=m;2134=o;2139=i;213b=fax;\
2145-2146=d;2147=e;2148-2149+i;2150=17;2151=19;2152=110;2153=13;2154=23;2155=15;2156=25;\
2157=35;2158=45;2159=16;215a=56;215b=18;215c=38;215d=58;215e=78;215f=1;2160=i;2161=ii;\
2162=iii;2163=iv;2164=v;2165=vi;2166=vii;2167=viii;2168=ix;2169=x;216a=xi;216b=xii;216c=l;\
216d-216e+c;216f=m;2170=i;2171=ii;2172=iii;2173=iv;2174=v;2175=vi;2176=vii;2177=viii;\
2178=ix;2179=x;217a=xi;217b=xii;217c=l;217d-217e+c;217f=m;2189=03;2260=_;226e-226f=_;\
2460-2468+1;2469=10;246a=11;246b=12;246c=13;246d=14;246e=15;246f=16;2470=17;2471=18;2472=19;\
2473=20;2474=_1_;2475=_2_;2476=_3_;2477=_4_;2478=_5_;2479=_6_;247a=_7_;247b=_8_;247c=_9_;\
247d=_10_;247e=_11_;247f=_12_;2480=_13_;2481=_14_;2482=_15_;2483=_16_;2484=_17_;2485=_18_;\
2486=_19_;2487=_20_;2488=1_;2489=2_;248a=3_;248b=4_;248c=5_;248d=6_;248e=7_;248f=8_;2490=9_;\
2491=10_;2492=11_;2493=12_;2494=13_;2495=14_;2496=15_;2497=16_;2498=17_;2499=18_;249a=19_;\
249b=20_;249c=_a_;249d=_b_;249e=_c_;249f=_d_;24a0=_e_;24a1=_f_;24a2=_g_;24a3=_h_;24a4=_i_;\
24a5=_j_;24a6=_k_;24a7=_l_;24a8=_m_;24a9=_n_;24aa=_o_;24ab=_p_;24ac=_q_;24ad=_r_;24ae=_s_;\
24af=_t_;24b0=_u_;24b1=_v_;24b2=_w_;24b3=_x_;24b4=_y_;24b5=_z_;24b6-24cf+a;24d0-24e9+a;\
24ea=0;2a74=___;2a75=__;2a76=___;2c7c=j;2c7d=v;3000=_;309b-309c=_;3200-321e=__;3220-3243=__;\
3250=pte;3251=21;3252=22;3253=23;3254=24;3255=25;3256=26;3257=27;3258=28;3259=29;325a=30;\
325b=31;325c=32;325d=33;325e=34;325f=35;32b1=36;32b2=37;32b3=38;32b4=39;32b5=40;32b6=41;\
32b7=42;32b8=43;32b9=44;32ba=45;32bb=46;32bc=47;32bd=48;32be=49;32bf=50;32c0-32c8+1;32c9=10;\
32ca=11;32cb=12;32cc=hg;32cd=erg;32ce=ev;32cf=ltd;3358-3361+0;3362=10;3363=11;3364=12;\
3365=13;3366=14;3367=15;3368=16;3369=17;336a=18;336b=19;336c=20;336d=21;336e=22;336f=23;\
3370=24;3371=hpa;3372=da;3373=au;3374=bar;3375=ov;3376=pc;3377=dm;3378=dm2;3379=dm3;337a=iu;\
3380=pa;3381=na;3382=a;3383=ma;3384=ka;3385=kb;3386=mb;3387=gb;3388=cal;3389=kcal;338a=pf;\
338b=nf;338c-338d+f;338e=mg;338f=kg;3390=hz;3391=khz;3392=mhz;3393=ghz;3394=thz;3395=l;\
3396=ml;3397=dl;3398=kl;3399=fm;339a=nm;339b=m;339c=mm;339d=cm;339e=km;339f=mm2;33a0=cm2;\
33a1=m2;33a2=km2;33a3=mm3;33a4=cm3;33a5=m3;33a6=km3;33a7=ms;33a8=ms2;33a9=pa;33aa=kpa;\
33ab=mpa;33ac=gpa;33ad=rad;33ae=rads;33af=rads2;33b0=ps;33b1=ns;33b2=s;33b3=ms;33b4=pv;\
33b5=nv;33b6=v;33b7=mv;33b8=kv;33b9=mv;33ba=pw;33bb=nw;33bc=w;33bd=mw;33be=kw;33bf=mw;\
33c0=k;33c1=m;33c2=a_m_;33c3=bq;33c4=cc;33c5=cd;33c6=ckg;33c7=co_;33c8=db;33c9=gy;33ca=ha;\
33cb=hp;33cc=in;33cd=kk;33ce=km;33cf=kt;33d0=lm;33d1=ln;33d2=log;33d3=lx;33d4=mb;33d5=mil;\
33d6=mol;33d7=ph;33d8=p_m_;33d9=ppm;33da=pr;33db=sr;33dc=sv;33dd=wb;33de=vm;33df=am;\
33e0-33e8+1;33e9=10;33ea=11;33eb=12;33ec=13;33ed=14;33ee=15;33ef=16;33f0=17;33f1=18;33f2=19;\
33f3=20;33f4=21;33f5=22;33f6=23;33f7=24;33f8=25;33f9=26;33fa=27;33fb=28;33fc=29;33fd=30;\
33fe=31;33ff=gal;a7f2=c;a7f3=f;a7f4=q;fb00=ff;fb01=fi;fb02=fl;fb03=ffi;fb04=ffl;\
fb05-fb06=st;fb29=_;fc5e-fc63=_;fdfa=___;fdfb=_;fe10=_;fe13-fe16=_;fe19=___;fe30=__;\
fe33-fe38=_;fe47-fe50=_;fe52=_;fe54-fe57=_;fe59-fe5c=_;fe5f-fe66=_;fe68-fe6b=_;fe70=_;\
fe72=_;fe74=_;fe76=_;fe78=_;fe7a=_;fe7c=_;fe7e=_;ff01-ff0f=_;ff10-ff19+0;ff1a-ff20=_;\
ff21-ff3a+a;ff3b-ff40=_;ff41-ff5a+a;ff5b-ff5e=_;ffe3=_;107a5=q;1d400-1d419+a;1d41a-1d433+a;\
1d434-1d44d+a;1d44e-1d454+a;1d456-1d467+i;1d468-1d481+a;1d482-1d49b+a;1d49c=a;1d49e-1d49f+c;\
1d4a2=g;1d4a5-1d4a6+j;1d4a9-1d4ac+n;1d4ae-1d4b5+s;1d4b6-1d4b9+a;1d4bb=f;1d4bd-1d4c3+h;\
1d4c5-1d4cf+p;1d4d0-1d4e9+a;1d4ea-1d503+a;1d504-1d505+a;1d507-1d50a+d;1d50d-1d514+j;\
1d516-1d51c+s;1d51e-1d537+a;1d538-1d539+a;1d53b-1d53e+d;1d540-1d544+i;1d546=o;1d54a-1d550+s;\
1d552-1d56b+a;1d56c-1d585+a;1d586-1d59f+a;1d5a0-1d5b9+a;1d5ba-1d5d3+a;1d5d4-1d5ed+a;\
1d5ee-1d607+a;1d608-1d621+a;1d622-1d63b+a;1d63c-1d655+a;1d656-1d66f+a;1d670-1d689+a;\
1d68a-1d6a3+a;1d7ce-1d7d7+0;1d7d8-1d7e1+0;1d7e2-1d7eb+0;1d7ec-1d7f5+0;1d7f6-1d7ff+0;\
1f100-1f101=0_;1f102=1_;1f103=2_;1f104=3_;1f105=4_;1f106=5_;1f107=6_;1f108=7_;1f109=8_;\
1f10a=9_;1f110=_a_;1f111=_b_;1f112=_c_;1f113=_d_;1f114=_e_;1f115=_f_;1f116=_g_;1f117=_h_;\
1f118=_i_;1f119=_j_;1f11a=_k_;1f11b=_l_;1f11c=_m_;1f11d=_n_;1f11e=_o_;1f11f=_p_;1f120=_q_;\
1f121=_r_;1f122=_s_;1f123=_t_;1f124=_u_;1f125=_v_;1f126=_w_;1f127=_x_;1f128=_y_;1f129=_z_;\
1f12a=s;1f12b=c;1f12c=r;1f12d=cd;1f12e=wz;1f130-1f149+a;1f14a=hv;1f14b=mv;1f14c=sd;1f14d=ss;\
1f14e=ppv;1f14f=wc;1f16a=mc;1f16b=md;1f16c=mr;1f190=dj;1fbf0-1fbf9+0";

/// `(first, last, residue, incrementing)` ranges of [`FOLD_TABLE`], sorted.
fn fold_ranges() -> &'static [(u32, u32, String, bool)] {
    static RANGES: OnceLock<Vec<(u32, u32, String, bool)>> = OnceLock::new();
    RANGES.get_or_init(|| {
        FOLD_TABLE
            .split(';')
            .filter_map(|entry| {
                let (span, inc, out) = match entry.split_once('=') {
                    Some((span, out)) => (span, false, out),
                    None => {
                        let (span, out) = entry.split_once('+')?;
                        (span, true, out)
                    }
                };
                let (a, b) = span.split_once('-').unwrap_or((span, span));
                let a = u32::from_str_radix(a, 16).ok()?;
                let b = u32::from_str_radix(b, 16).ok()?;
                Some((a, b, out.replace('_', " "), inc))
            })
            .collect()
    })
}

/// What `_normalize_text` keeps of the non-ASCII character `c`.
fn fold(c: char, out: &mut String) {
    let cp = c as u32;
    let ranges = fold_ranges();
    let k = ranges.partition_point(|r| r.0 <= cp);
    let Some((a, b, residue, inc)) = k.checked_sub(1).map(|k| &ranges[k]) else {
        return;
    };
    if cp > *b {
        return;
    }
    if *inc {
        let first = residue.chars().next().map_or(0, |c| c as u32);
        if let Some(c) = char::from_u32(first + (cp - a)) {
            out.push(c);
        }
    } else {
        out.push_str(residue);
    }
}

/// GeoVista's `_normalize_text` (`utils_geo.py` l.14): NFKD, non-ASCII dropped, lower case,
/// everything but `a-z0-9` a space, runs of spaces one space, no space at either end.
///
/// ```
/// use ocellus_rewards::geovista::normalize_place;
/// assert_eq!(normalize_place("Auvergne-Rhône-Alpes"), "auvergne rhone alpes");
/// assert_eq!(normalize_place("  São Paulo, BR! "), "sao paulo br");
/// assert_eq!(normalize_place("Tromsø"), "troms"); // ø has no decomposition: dropped
/// assert_eq!(normalize_place("Côte d’Ivoire"), "cote divoire"); // so is ’
/// ```
pub fn normalize_place(s: &str) -> String {
    let mut raw = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            raw.push(c.to_ascii_lowercase());
        } else if c.is_ascii() {
            raw.push(' ');
        } else {
            fold(c, &mut raw);
        }
    }
    let mut out = String::with_capacity(raw.len());
    for w in raw.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `_contains_whole_term` on normalised texts: `term` occurs in `text` bounded by spaces or
/// the ends (in a normalised text a word character is `a-z0-9` and everything else is a space).
fn contains_term(text: &str, term: &str) -> bool {
    if term.is_empty() || text.len() < term.len() {
        return false;
    }
    let (t, n) = (text.as_bytes(), term.len());
    let mut from = 0;
    while let Some(i) = text[from..].find(term).map(|i| i + from) {
        let left = i == 0 || t[i - 1] == b' ';
        let right = i + n == t.len() || t[i + n] == b' ';
        if left && right {
            return true;
        }
        from = i + 1;
    }
    false
}

/// Which text [`GeoVista`] searches for the gold names (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GeoRule {
    /// The answer (by [`GeoVista::source`]), at most 4 parts. The default.
    #[default]
    AnswerParts,
    /// The completion after its last `assistant`, as `compure_score_search` searches it.
    Reference,
}

/// The answer's text to search, normalised, under [`GeoRule::AnswerParts`].
fn answer_text(text: &str) -> Result<String, ParseError> {
    let t = text.trim();
    if t.starts_with('{') {
        if let Some(Value::Object(m)) = first_json(t) {
            let parts: Vec<String> = ["city", "state", "province", "region", "country"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(Value::as_str))
                .map(normalize_place)
                .filter(|s| !s.is_empty())
                .collect();
            return if parts.is_empty() {
                Err(ParseError::MissingField {
                    field: "city/state/country",
                })
            } else {
                Ok(parts.join(" "))
            };
        }
    }
    let parts: Vec<String> = t
        .split([',', '\n', ';'])
        .map(normalize_place)
        .filter(|s| !s.is_empty())
        .collect();
    match parts.len() {
        0 => Err(ParseError::EmptyAnswer),
        // Joined as the reference's normaliser joins them, so "Washington, D.C." still
        // contains "washington d c".
        1..=4 => Ok(parts.join(" ")),
        n => Err(ParseError::WrongCount {
            what: "place-name parts at most",
            expected: 4,
            found: n,
        }),
    }
}

/// The normalised names of one gold level (aliases separated by `|`).
fn aliases(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_str)
        .map(|s| {
            s.split('|')
                .map(normalize_place)
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// A gold value as Python's truthiness sees it: a non-empty string.
fn non_empty<'a>(g: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    g.get(key)
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
}

/// GeoVista's hierarchical reward, scores in {0, 1, 2, 4}. Gold: a JSON object with `country`,
/// and optionally `province_or_state` (or `state`, or `province`) and `city`; values may list
/// `|`-separated aliases.
///
/// ```
/// use ocellus_rewards::{geovista::GeoVista, Gold, Verifier};
/// let v = GeoVista::default();
/// let gold = Gold::new(r#"{"city": "Lyon", "state": "Auvergne-Rhône-Alpes", "country": "France|FR"}"#);
/// assert_eq!(v.verify("<answer>Lyon, France</answer>", &gold).score(), 4.0);
/// assert_eq!(v.verify("<answer>Grenoble, Auvergne Rhone Alpes, France</answer>", &gold).score(), 2.0);
/// assert_eq!(v.verify("<answer>Paris, FR</answer>", &gold).score(), 1.0);
/// assert_eq!(v.verify("<answer>Turin, Italy</answer>", &gold).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GeoVista {
    /// Where the answer is read ([`GeoRule::AnswerParts`]).
    pub source: AnswerSource,
    /// Which text is searched.
    pub rule: GeoRule,
}

impl Verifier for GeoVista {
    fn name(&self) -> &'static str {
        "geovista"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 4.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match serde_json::from_str::<Value>(gold.answer.trim()) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Verdict::GoldUnparseable(ParseError::Invalid {
                    what: "gold location",
                    why: "not a JSON object".into(),
                })
            }
            Err(e) => {
                return Verdict::GoldUnparseable(ParseError::Json {
                    msg: e.to_string(),
                    text: snippet(&gold.answer),
                })
            }
        };
        let city = aliases(g.get("city"));
        let state = aliases(
            non_empty(&g, "province_or_state")
                .or_else(|| g.get("state"))
                .or_else(|| g.get("province")),
        );
        let country = aliases(g.get("country"));
        if country.is_empty() {
            return Verdict::GoldUnparseable(ParseError::MissingField { field: "country" });
        }
        let text = match self.rule {
            GeoRule::AnswerParts => {
                match extract_answer(completion, self.source).and_then(answer_text) {
                    Ok(t) => t,
                    Err(e) => return Verdict::Malformed(e),
                }
            }
            GeoRule::Reference => {
                normalize_place(completion.rsplit("assistant").next().unwrap_or(completion))
            }
        };
        let hit = |names: &[String]| names.iter().any(|n| contains_term(&text, n));
        // `rule_based`: state_correct = state or city hit, country_correct = any hit; the
        // score takes the highest.
        let (score, level) = if hit(&city) {
            (4.0, "city")
        } else if hit(&state) {
            (2.0, "state/province")
        } else if hit(&country) {
            (1.0, "country")
        } else {
            (0.0, "nothing")
        };
        Verdict::graded(
            score,
            0.0,
            4.0,
            format!("{level} right (searched {:?})", snippet(&text)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::*;

    #[test]
    fn geovista_table() {
        let v = GeoVista::default();
        let gold = Gold::new(
            r#"{"city": "New York City|NYC", "state": "New York", "country": "United States|USA"}"#,
        );
        let table: [(&str, f64); 7] = [
            ("<answer>NYC, USA</answer>", 4.0),
            (
                r#"<answer>{"city": "new york city", "country": "usa"}</answer>"#,
                4.0,
            ),
            ("<answer>Buffalo, New York, United States</answer>", 2.0),
            ("<answer>Boston, Massachusetts, USA</answer>", 1.0),
            ("<answer>Toronto, Canada</answer>", 0.0),
            ("<answer>Berlin</answer>", 0.0),
            // Articles and punctuation are normalised away.
            ("<answer>The United States.</answer>", 1.0),
        ];
        for (c, s) in table {
            assert_eq!(v.verify(c, &gold).score(), s, "{c:?}");
        }
        // Spamming candidate cities is malformed.
        let spam = "<answer>Boston, Chicago, Denver, Miami, NYC</answer>";
        assert_eq!(v.verify(spam, &gold).kind(), Malformed);
        assert_eq!(v.verify("NYC", &gold).kind(), Malformed);
        assert_eq!(
            v.verify("<answer>NYC</answer>", &Gold::new("NYC")).kind(),
            GoldUnparseable
        );
        assert_eq!(
            v.verify("<answer>NYC</answer>", &Gold::new(r#"{"city": "NYC"}"#))
                .kind(),
            GoldUnparseable
        );
        assert!(v.verify("<answer>NYC</answer>", &gold).is_correct());
    }
}
