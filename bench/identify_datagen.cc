// crm-identify-datagen: synthetic customers with controlled duplicates, for
// the identify benchmarks and for linkage tests at scale.
//   crm-identify-datagen --customers=1000000 --duplicate_rate=0.1 --output=people.csv
// Writes the FEBRL layout (rec_id, given_name, surname, street_number,
// address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id)
// plus phone and email columns. Half the people have Chinese names and
// addresses, half Western ones. Each duplicate ("rec-N-dup-K") copies its
// original ("rec-N-org") with 1-3 typical errors: a typo in a name or street,
// swapped or mistyped birth digits, a changed postcode digit, missing fields,
// a new phone or e-mail. Ids, phones and e-mails are unique per person.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

ABSL_FLAG(int64_t, customers, 10000, "Distinct people (originals)");
ABSL_FLAG(double, duplicate_rate, 0.1, "Duplicates as a share of the originals");
ABSL_FLAG(uint64_t, seed, 1, "Random seed (same seed, same file)");
ABSL_FLAG(std::string, output, "", "Output CSV file");

namespace {

const std::vector<std::string> kWesternGiven = {
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william",
    "elizabeth", "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah",
    "charles", "karen", "christopher", "nancy", "daniel", "lisa", "matthew", "betty", "anthony",
    "margaret", "mark", "sandra", "donald", "ashley", "steven", "kimberly", "paul", "emily",
    "andrew", "donna", "joshua", "michelle", "kenneth", "dorothy", "kevin", "carol", "brian",
    "amanda", "george", "melissa", "timothy", "deborah", "ronald", "stephanie", "edward",
    "rebecca", "jason", "sharon", "jeffrey", "laura", "ryan", "cynthia", "jacob", "kathleen",
    "gary", "amy", "nicholas", "angela", "eric", "shirley", "jonathan", "anna", "stephen",
    "brenda", "larry", "pamela", "justin", "emma", "scott", "nicole", "brandon", "helen"};
const std::vector<std::string> kWesternFamily = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
    "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
    "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall",
    "rivera", "campbell", "mitchell", "carter", "roberts", "gomez", "phillips", "evans",
    "turner", "diaz", "parker", "cruz", "edwards", "collins", "reyes", "stewart", "morris",
    "morales", "murphy", "cook", "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson",
    "bailey", "reed", "kelly", "howard", "ramos", "kim", "cox", "ward", "richardson", "watson"};
const std::vector<std::string> kChineseFamily = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金"};
const std::vector<std::string> kChineseGiven = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉",
    "力", "斌", "宇", "浩", "凯", "欣", "怡", "晨", "雪", "琳", "佳", "婷", "俊", "鹏", "飞",
    "健", "波", "宁", "梅", "莉", "兰", "峰", "亮", "成", "东", "海", "志", "春", "国", "民"};
const std::vector<std::string> kWesternStreets = {
    "miller street", "george street", "king street", "queen street", "elizabeth street",
    "victoria road", "church street", "high street", "park avenue", "station road",
    "bridge road", "main street", "hill street", "river road", "ocean parade", "oxford street",
    "william street", "pitt street", "collins street", "bourke street", "flinders lane",
    "beach road", "forest drive", "lake street", "mountain view road"};
const std::vector<std::string> kWesternSuburbs = {
    "sydney", "parramatta", "newtown", "bondi", "manly", "chatswood", "melbourne", "fitzroy",
    "carlton", "brunswick", "brisbane", "fortitude valley", "perth", "fremantle", "adelaide",
    "glenelg", "hobart", "canberra", "belconnen", "darwin", "geelong", "ballarat", "wollongong"};
const std::vector<std::string> kWesternStates = {"nsw", "vic", "qld", "wa", "sa", "tas", "act",
                                                 "nt"};
const std::vector<std::string> kChineseStreets = {
    "南京路", "淮海路", "中山路", "人民路", "解放路", "建设路", "和平路", "长安街", "黄河路",
    "长江路", "延安路", "复兴路", "北京路", "上海路", "光明路", "新华路", "东风路", "胜利路"};
const std::vector<std::string> kChineseDistricts = {
    "黄浦区", "徐汇区", "静安区", "浦东新区", "朝阳区", "海淀区", "东城区", "天河区",
    "越秀区", "福田区", "南山区", "武侯区", "锦江区", "西湖区", "江汉区", "鼓楼区"};
const std::vector<std::string> kChineseProvinces = {"上海", "北京", "广东", "四川",
                                                    "浙江", "湖北", "江苏", "天津"};
const std::vector<std::string> kMailDomains = {"qq.com", "163.com", "126.com", "gmail.com",
                                               "outlook.com", "sina.com", "foxmail.com"};

struct Person {
  std::string given, family, number, street, line2, locality, postcode, region, birth, ssn,
      phone, email;
  bool chinese = false;

  std::string Csv(const std::string& rec_id) const {
    return absl::StrJoin({rec_id, given, family, number, street, line2, locality, postcode,
                          region, birth, ssn, phone, email},
                         ", ");
  }
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Person Original(int64_t n) {
    Person p;
    p.chinese = Chance(0.5);
    if (p.chinese) {
      p.family = Pick(kChineseFamily);
      p.given = Pick(kChineseGiven) + (Chance(0.7) ? Pick(kChineseGiven) : "");
      p.street = Pick(kChineseStreets);
      p.locality = Pick(kChineseDistricts);
      p.region = Pick(kChineseProvinces);
      p.postcode = absl::StrFormat("%06d", Uniform(100000, 999999));
      p.line2 = Chance(0.6) ? absl::StrCat(Uniform(1, 30), "号楼", Uniform(101, 2899), "室") : "";
      // Unique per person: an affine map of n over 10^9.
      p.phone = absl::StrFormat("+861%d%09d", Uniform(3, 9), (n * 48271 + 12345) % 1000000000);
    } else {
      p.given = Pick(kWesternGiven);
      p.family = Pick(kWesternFamily);
      p.street = Pick(kWesternStreets);
      p.locality = Pick(kWesternSuburbs);
      p.region = Pick(kWesternStates);
      p.postcode = absl::StrFormat("%04d", Uniform(800, 7999));
      p.line2 = Chance(0.3) ? absl::StrCat("unit ", Uniform(1, 40)) : "";
      p.phone = absl::StrFormat("+1%03d%07d", Uniform(201, 989), (n * 69621 + 777) % 10000000);
    }
    p.number = absl::StrCat(Uniform(1, 300));
    p.birth = absl::StrFormat("%04d%02d%02d", Uniform(1940, 2006), Uniform(1, 12), Uniform(1, 28));
    p.ssn = absl::StrFormat("%09d", (n * 7919 + 104729) % 1000000000);
    p.email = Chance(0.7) ? absl::StrCat("u", n, "x", Uniform(10, 99), "@", Pick(kMailDomains)) : "";
    return p;
  }

  Person Duplicate(const Person& original) {
    Person d = original;
    const int errors = Uniform(1, 3);
    for (int e = 0; e < errors; ++e) {
      switch (Uniform(0, 8)) {
        case 0: d.given = Typo(d.given, d.chinese); break;
        case 1: d.family = Typo(d.family, d.chinese); break;
        case 2: d.street = Typo(d.street, d.chinese); break;
        case 3: d.birth = BirthError(d.birth); break;
        case 4: d.postcode = DigitError(d.postcode); break;
        case 5: d.line2 = ""; break;
        case 6: d.ssn = ""; break;  // a mistyped id could be another person's
        case 7: d.phone = ""; break;
        case 8: d.email = ""; break;
      }
    }
    return d;
  }

 private:
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }

  std::string Typo(const std::string& s, bool chinese) {
    if (chinese) {  // one character replaced by another common one
      return s.size() >= 3 ? Pick(kChineseGiven) + s.substr(3) : s;
    }
    if (s.size() < 3) return s;
    std::string t = s;
    const size_t i = std::uniform_int_distribution<size_t>(1, t.size() - 2)(rng_);
    switch (Uniform(0, 3)) {
      case 0: std::swap(t[i], t[i + 1]); break;                     // transposition
      case 1: t.erase(i, 1); break;                                 // deletion
      case 2: t.insert(i, 1, static_cast<char>('a' + Uniform(0, 25))); break;
      default: t[i] = static_cast<char>('a' + Uniform(0, 25)); break;  // substitution
    }
    return t;
  }

  std::string DigitError(const std::string& s) {
    if (s.empty()) return s;
    std::string t = s;
    t[std::uniform_int_distribution<size_t>(0, t.size() - 1)(rng_)] =
        static_cast<char>('0' + Uniform(0, 9));
    return t;
  }

  std::string BirthError(const std::string& birth) {
    if (Chance(0.5)) {  // day and month swapped when both are valid months
      const std::string swapped = birth.substr(0, 4) + birth.substr(6, 2) + birth.substr(4, 2);
      if (birth.substr(6, 2) <= "12") return swapped;
    }
    std::string t = birth;
    const size_t i = std::uniform_int_distribution<size_t>(2, 3)(rng_);  // a year digit
    t[i] = static_cast<char>('0' + Uniform(0, 9));
    return t;
  }

  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "crm-identify-datagen --customers=N --duplicate_rate=0.1 --output=FILE.csv");
  absl::ParseCommandLine(argc, argv);
  const int64_t customers = absl::GetFlag(FLAGS_customers);
  const double rate = absl::GetFlag(FLAGS_duplicate_rate);
  std::ofstream out(absl::GetFlag(FLAGS_output));
  if (customers < 1 || rate < 0 || rate > 10 || !out) {
    std::cerr << "crm-identify-datagen: --customers >= 1, --duplicate_rate in [0, 10] and a "
                 "writable --output are required\n";
    return 2;
  }
  Generator gen(absl::GetFlag(FLAGS_seed));
  std::mt19937_64 pick(absl::GetFlag(FLAGS_seed) + 1);
  std::bernoulli_distribution has_duplicate(std::min(1.0, rate));
  const int per_original = std::max(1, static_cast<int>(rate));
  out << "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, "
         "state, date_of_birth, soc_sec_id, phone, email\n";
  int64_t duplicates = 0;
  for (int64_t n = 0; n < customers; ++n) {
    const Person original = gen.Original(n);
    out << original.Csv(absl::StrCat("rec-", n, "-org")) << "\n";
    if (!has_duplicate(pick)) continue;
    for (int k = 0; k < per_original; ++k, ++duplicates) {
      out << gen.Duplicate(original).Csv(absl::StrCat("rec-", n, "-dup-", k)) << "\n";
    }
  }
  std::cerr << customers << " originals, " << duplicates << " duplicates\n";
  return out.flush() ? 0 : 1;
}
