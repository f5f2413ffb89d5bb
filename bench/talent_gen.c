/* talent_gen.c: the data and the naive baseline of `make bench-talent` (bench/talent.sh).
 *
 *   bench_talent_gen gen OUT_DIR PROFILES [QUERIES]
 *   bench_talent_gen like DATA_DIR QUERY_FILE...
 *
 * gen writes, deterministically (a fixed seed):
 *   people.csv       PROFILES people in the import's columns (docs/talent-io.md): 55% Han
 *                    names (a surname of the hundred commonest, one or two given-name
 *                    characters) with their pinyin as another name, 15% the same written in
 *                    pinyin first, 10% Tibetan names (in Chinese characters or in Latin), 20%
 *                    Latin names from elsewhere; 1-3 crafts, skills, languages with levels
 *                    that fit the name, a base (80% in China: Xining, Lhasa, Hengdian, ...),
 *                    travel, some rates, contacts; 97% listed; consent attested
 *   credits.csv      exactly 5 x PROFILES credits (0 to 10 a person, 5 on average): titles in
 *                    Chinese or English, the role of one of the person's crafts, 1990-2026, a
 *                    company
 *   unavailable.csv  ref,start,end: 10% of the people are away 1-2 times in 2026-12..2027-12
 *   q_zh.txt         QUERIES (default 1000) 2-3 character substrings of the Han names made
 *   q_latn.txt       QUERIES 3-6 letter substrings of the Latin names made
 *   facets.txt       QUERIES query strings: craft + language (+ level) + an availability
 *                    window of 1-4 weeks in 2027
 *   match.txt        QUERIES match bodies (JSON, one a line): a craft, dates, 1-2 languages,
 *                    sometimes a city and a budget
 * like runs each query of the files as the naive baseline - SELECT ... WHERE primary_name LIKE
 * '%q%' OR names LIKE '%q%' LIMIT 20 on the data folder's database - and prints one line per
 * file: "like FILE n=.. p50_ms=.. p99_ms=.. rows=..". */
#include "app/app.h"
#include "core/time.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* ---- A small PRNG (xorshift64*), so that every run makes the same data. ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int rn(int n) /* 0 .. n-1 */
{
    return (int)(rnd() % (uint64_t)n);
}

static bool chance(int percent)
{
    return rn(100) < percent;
}

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* ---- Word lists. ---- */

typedef struct hz {
    const char *han, *py;
} hz;

static const hz surnames[] = {
    {"王", "Wang"},     {"李", "Li"},     {"张", "Zhang"},       {"刘", "Liu"},     {"陈", "Chen"},
    {"杨", "Yang"},     {"黄", "Huang"},  {"赵", "Zhao"},        {"吴", "Wu"},      {"周", "Zhou"},
    {"徐", "Xu"},       {"孙", "Sun"},    {"马", "Ma"},          {"朱", "Zhu"},     {"胡", "Hu"},
    {"郭", "Guo"},      {"何", "He"},     {"高", "Gao"},         {"林", "Lin"},     {"罗", "Luo"},
    {"郑", "Zheng"},    {"梁", "Liang"},  {"谢", "Xie"},         {"宋", "Song"},    {"唐", "Tang"},
    {"许", "Xu"},       {"韩", "Han"},    {"冯", "Feng"},        {"邓", "Deng"},    {"曹", "Cao"},
    {"彭", "Peng"},     {"曾", "Zeng"},   {"肖", "Xiao"},        {"田", "Tian"},    {"董", "Dong"},
    {"袁", "Yuan"},     {"潘", "Pan"},    {"于", "Yu"},          {"蒋", "Jiang"},   {"蔡", "Cai"},
    {"余", "Yu"},       {"杜", "Du"},     {"叶", "Ye"},          {"程", "Cheng"},   {"苏", "Su"},
    {"魏", "Wei"},      {"吕", "Lyu"},    {"丁", "Ding"},        {"任", "Ren"},     {"沈", "Shen"},
    {"姚", "Yao"},      {"卢", "Lu"},     {"姜", "Jiang"},       {"崔", "Cui"},     {"钟", "Zhong"},
    {"谭", "Tan"},      {"陆", "Lu"},     {"汪", "Wang"},        {"范", "Fan"},     {"金", "Jin"},
    {"石", "Shi"},      {"廖", "Liao"},   {"贾", "Jia"},         {"夏", "Xia"},     {"韦", "Wei"},
    {"付", "Fu"},       {"方", "Fang"},   {"白", "Bai"},         {"邹", "Zou"},     {"孟", "Meng"},
    {"熊", "Xiong"},    {"秦", "Qin"},    {"邱", "Qiu"},         {"江", "Jiang"},   {"尹", "Yin"},
    {"薛", "Xue"},      {"闫", "Yan"},    {"段", "Duan"},        {"雷", "Lei"},     {"侯", "Hou"},
    {"龙", "Long"},     {"史", "Shi"},    {"陶", "Tao"},         {"黎", "Li"},      {"贺", "He"},
    {"顾", "Gu"},       {"毛", "Mao"},    {"郝", "Hao"},         {"龚", "Gong"},    {"邵", "Shao"},
    {"万", "Wan"},      {"钱", "Qian"},   {"严", "Yan"},         {"覃", "Qin"},     {"武", "Wu"},
    {"戴", "Dai"},      {"莫", "Mo"},     {"孔", "Kong"},        {"向", "Xiang"},   {"汤", "Tang"},
    {"欧阳", "Ouyang"}, {"司马", "Sima"}, {"上官", "Shangguan"}, {"诸葛", "Zhuge"},
};

static const hz given[] = {
    {"伟", "wei"},   {"芳", "fang"},  {"娜", "na"},    {"敏", "min"},   {"静", "jing"},
    {"丽", "li"},    {"强", "qiang"}, {"磊", "lei"},   {"军", "jun"},   {"洋", "yang"},
    {"勇", "yong"},  {"艳", "yan"},   {"杰", "jie"},   {"娟", "juan"},  {"涛", "tao"},
    {"明", "ming"},  {"超", "chao"},  {"秀", "xiu"},   {"霞", "xia"},   {"平", "ping"},
    {"刚", "gang"},  {"桂", "gui"},   {"英", "ying"},  {"华", "hua"},   {"玉", "yu"},
    {"萍", "ping"},  {"红", "hong"},  {"建", "jian"},  {"文", "wen"},   {"辉", "hui"},
    {"力", "li"},    {"波", "bo"},    {"宁", "ning"},  {"斌", "bin"},   {"鹏", "peng"},
    {"宇", "yu"},    {"浩", "hao"},   {"凯", "kai"},   {"健", "jian"},  {"俊", "jun"},
    {"帆", "fan"},   {"帅", "shuai"}, {"旭", "xu"},    {"晨", "chen"},  {"欣", "xin"},
    {"怡", "yi"},    {"婷", "ting"},  {"雪", "xue"},   {"琳", "lin"},   {"晶", "jing"},
    {"慧", "hui"},   {"佳", "jia"},   {"嘉", "jia"},   {"子", "zi"},    {"梓", "zi"},
    {"涵", "han"},   {"轩", "xuan"},  {"睿", "rui"},   {"博", "bo"},    {"思", "si"},
    {"雨", "yu"},    {"泽", "ze"},    {"一", "yi"},    {"诺", "nuo"},   {"然", "ran"},
    {"安", "an"},    {"悦", "yue"},   {"晴", "qing"},  {"可", "ke"},    {"馨", "xin"},
    {"宸", "chen"},  {"皓", "hao"},   {"逸", "yi"},    {"辰", "chen"},  {"昊", "hao"},
    {"天", "tian"},  {"瑞", "rui"},   {"航", "hang"},  {"志", "zhi"},   {"国", "guo"},
    {"海", "hai"},   {"春", "chun"},  {"梅", "mei"},   {"兰", "lan"},   {"云", "yun"},
    {"飞", "fei"},   {"鑫", "xin"},   {"东", "dong"},  {"亮", "liang"}, {"成", "cheng"},
    {"峰", "feng"},  {"丹", "dan"},   {"璐", "lu"},    {"颖", "ying"},  {"倩", "qian"},
    {"薇", "wei"},   {"蕾", "lei"},   {"莉", "li"},    {"晓", "xiao"},  {"小", "xiao"},
    {"新", "xin"},   {"振", "zhen"},  {"家", "jia"},   {"永", "yong"},  {"德", "de"},
    {"山", "shan"},  {"世", "shi"},   {"光", "guang"}, {"荣", "rong"},  {"卫", "wei"},
    {"忠", "zhong"}, {"清", "qing"},  {"立", "li"},    {"婧", "jing"},  {"璇", "xuan"},
    {"妍", "yan"},   {"茜", "qian"},  {"蓉", "rong"},  {"珊", "shan"},  {"岚", "lan"},
};

static const hz tibetan[] = {
    {"扎西", "Tashi"},   {"多吉", "Dorje"},   {"白玛", "Pema"},     {"丹增", "Tenzin"},
    {"索南", "Sonam"},   {"达瓦", "Dawa"},    {"尼玛", "Nyima"},    {"拉姆", "Lhamo"},
    {"卓玛", "Drolma"},  {"次仁", "Tsering"}, {"诺布", "Norbu"},    {"平措", "Phuntsok"},
    {"嘎玛", "Karma"},   {"晋美", "Jigme"},   {"央金", "Yangchen"}, {"贡嘎", "Kunga"},
    {"仁青", "Rinchen"}, {"德庆", "Dechen"},  {"洛桑", "Lobsang"},  {"嘉措", "Gyatso"},
};

static const char *const first_names[] = {
    "Anna",   "Maria", "John",  "David",  "Michael", "Sarah",  "Laura",   "Pierre",
    "Sophie", "Lucas", "Emma",  "Noah",   "Olivia",  "Liam",   "Mia",     "Hannah",
    "Lukas",  "Elena", "Marco", "Giulia", "Kenji",   "Yuki",   "Hiroshi", "Minjun",
    "Jiwoo",  "Aisha", "Omar",  "Fatima", "Ivan",    "Olga",   "Carlos",  "Lucia",
    "Amir",   "Priya", "Arjun", "Chloe",  "Mateo",   "Ingrid", "Sven",    "Zoe",
};
static const char *const last_names[] = {
    "Smith",  "Johnson", "Müller",   "Schmidt",  "Rossi",  "Bianchi",   "Dubois", "Martin",
    "García", "López",   "Silva",    "Kim",      "Park",   "Lee",       "Tanaka", "Suzuki",
    "Ivanov", "Petrova", "Novak",    "Kowalski", "Jensen", "Andersson", "Nguyen", "Singh",
    "Khan",   "O'Brien", "Murphy",   "Brown",    "Wilson", "Taylor",    "Moreau", "Fischer",
    "Costa",  "Santos",  "Yamamoto", "Watanabe", "Haddad", "Cohen",     "Larsen", "Walsh",
};

typedef struct craft {
    const char *code, *role;
    int weight;
} craft;

static const craft crafts[] = {
    {"director", "Director", 6},
    {"assistant-director", "First Assistant Director", 4},
    {"screenwriter", "Screenwriter", 5},
    {"producer", "Producer", 5},
    {"line-producer", "Line Producer", 3},
    {"dp", "Director of Photography", 4},
    {"camera-operator", "Camera Operator", 6},
    {"gaffer", "Gaffer", 4},
    {"production-designer", "Production Designer", 3},
    {"costume", "Costume Designer", 3},
    {"makeup", "Makeup Artist", 4},
    {"editor", "Editor", 6},
    {"colourist", "Colourist", 2},
    {"vfx", "VFX Artist", 6},
    {"animator", "Animator", 6},
    {"sound", "Sound Recordist", 5},
    {"sound-designer", "Sound Designer", 3},
    {"composer", "Composer", 3},
    {"actor", "Actor", 12},
    {"voice-actor", "Voice Actor", 3},
    {"translator", "Subtitler", 3},
    {"script-supervisor", "Script Supervisor", 2},
    {"casting", "Casting Director", 1},
    {"stunts", "Stunt Performer", 2},
    {"choreographer", "Choreographer", 1},
    {"stills", "Stills Photographer", 2},
    {"drone", "Drone Operator", 2},
};

static const char *const skills[] = {
    "Pro Tools",       "Avid Media Composer",
    "DaVinci Resolve", "Premiere Pro",
    "After Effects",   "Nuke",
    "Houdini",         "Maya",
    "Blender",         "Unreal Engine",
    "ARRI Alexa",      "RED",
    "Sony Venice",     "Steadicam",
    "gimbal",          "boom",
    "Foley",           "ADR",
    "Dolby Atmos",     "Logic Pro",
    "Final Draft",     "Movie Magic",
    "drone license",   "horse riding",
    "martial arts",    "wire work",
    "underwater",      "night shoots",
    "high altitude",   "Mandarin dubbing",
    "subtitling",      "SDH captions",
    "color science",   "HDR grading",
    "motion capture",  "compositing",
    "matte painting",  "rigging",
    "lighting",        "storyboard",
};

typedef struct city {
    const char *country, *region, *city;
    int weight;
} city;

static const city cities[] = {
    {"CN", "Beijing", "Beijing", 14},
    {"CN", "Shanghai", "Shanghai", 10},
    {"CN", "Guangdong", "Guangzhou", 5},
    {"CN", "Guangdong", "Shenzhen", 4},
    {"CN", "Sichuan", "Chengdu", 5},
    {"CN", "Chongqing", "Chongqing", 3},
    {"CN", "Zhejiang", "Hangzhou", 5},
    {"CN", "Zhejiang", "Hengdian", 6},
    {"CN", "Shaanxi", "Xi'an", 3},
    {"CN", "Qinghai", "Xining", 3},
    {"CN", "Tibet", "Lhasa", 2},
    {"CN", "Yunnan", "Kunming", 2},
    {"CN", "Hubei", "Wuhan", 3},
    {"CN", "Hunan", "Changsha", 3},
    {"CN", "Shandong", "Qingdao", 3},
    {"CN", "Heilongjiang", "Harbin", 2},
    {"CN", "Xinjiang", "Urumqi", 1},
    {"CN", "Fujian", "Xiamen", 2},
    {"CN", "Hong Kong", "Hong Kong", 3},
    {"TW", "", "Taipei", 1},
    {"US", "California", "Los Angeles", 3},
    {"GB", "England", "London", 2},
    {"FR", "Ile-de-France", "Paris", 2},
    {"DE", "Berlin", "Berlin", 1},
    {"JP", "Tokyo", "Tokyo", 2},
    {"KR", "Seoul", "Seoul", 2},
    {"IT", "Lazio", "Rome", 1},
    {"IN", "Maharashtra", "Mumbai", 1},
};

static const char *const travels[] = {"local", "regional", "national", "international"};

static const char *const title_a[] = {
    "长安", "雪域", "山河", "故乡", "青春", "追光", "长夜", "风起", "归途", "星辰", "大海", "草原",
    "少年", "时代", "远方", "江湖", "天涯", "明月", "秋水", "高原", "人间", "黎明", "春风", "白鹿"};
static const char *const title_b[] = {"之歌",   "往事", "传奇", "日记", "密码", "十二时辰",
                                      "的约定", "行动", "来信", "之城", "守望", "归来",
                                      "故事",   "风云", "",     "2"};
static const char *const title_en_a[] = {"The Long", "River of", "Beyond the", "Silent",  "Last",
                                         "Winter",   "Northern", "Echoes of",  "City of", "Golden"};
static const char *const title_en_b[] = {"Night", "Stars",   "Mountains", "Road",   "Summer",
                                         "Light", "Horizon", "Tides",     "Dreams", "Harvest"};
static const char *const companies[] = {
    "China Film Group",
    "Huayi Brothers",
    "Bona Film",
    "Wanda Pictures",
    "Enlight Media",
    "iQIYI",
    "Tencent Pictures",
    "Youku",
    "Mango TV",
    "Xining Studio",
    "Tibet Film Studio",
    "Shanghai Film Group",
    "Beijing Film Academy",
    "BBC Studios",
    "Netflix",
    "Gaumont",
    "Toho",
    "CJ ENM",
    "",
};

/* ---- Writing. ---- */

static void csv_cell(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else
        fputs(s, f);
}

static int weighted_craft(void)
{
    static int total;
    if (!total)
        for (int i = 0; i < N(crafts); i++)
            total += crafts[i].weight;
    int x = rn(total);
    for (int i = 0; i < N(crafts); i++)
        if ((x -= crafts[i].weight) < 0) return i;
    return 0;
}

static int weighted_city(void)
{
    static int total;
    if (!total)
        for (int i = 0; i < N(cities); i++)
            total += cities[i].weight;
    int x = rn(total);
    for (int i = 0; i < N(cities); i++)
        if ((x -= cities[i].weight) < 0) return i;
    return 0;
}

/* A substring of `s` of `min`..`max` characters (UTF-8 aware) into out. */
static bool substring(const char *s, int min, int max, char *out, size_t cap)
{
    int starts[128], n = 0;
    for (int i = 0; s[i] && n < 127; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) starts[n++] = i;
    starts[n] = (int)strlen(s);
    if (n < min) return false;
    int len = min + rn(max - min + 1);
    if (len > n) len = n;
    int from = rn(n - len + 1);
    int b = starts[from], e = starts[from + len];
    if ((size_t)(e - b) >= cap) return false;
    memcpy(out, s + b, (size_t)(e - b));
    out[e - b] = 0;
    /* Latin: no leading or trailing space (a search term is trimmed), and no word of one
     * letter ("an G"): the search asks for two at least, as any text search would. */
    if (out[0] == ' ' || out[e - b - 1] == ' ' || strchr(out, ',')) return false;
    for (const char *w = out; *w;) {
        size_t wl = strcspn(w, " ");
        if (wl == 1) return false;
        w += wl;
        while (*w == ' ')
            w++;
    }
    return true;
}

typedef struct person {
    char primary[96], other[96];
    bool han; /* primary written in Han characters */
    int crafts[3], ncrafts;
    const char *lang_main;
} person;

static void make_name(person *p)
{
    p->primary[0] = p->other[0] = 0;
    int kind = rn(100);
    if (kind < 70) { /* Han, written in characters (55) or in pinyin first (15) */
        const hz *s = &surnames[rn(N(surnames))];
        int ng = chance(70) ? 2 : 1;
        const hz *g1 = &given[rn(N(given))], *g2 = &given[rn(N(given))];
        char han[64], py[64];
        snprintf(han, sizeof han, "%s%s%s", s->han, g1->han, ng == 2 ? g2->han : "");
        snprintf(py, sizeof py, "%s %c%s%s", s->py, g1->py[0] - 32, g1->py + 1,
                 ng == 2 ? g2->py : "");
        bool pinyin_first = kind >= 55;
        snprintf(p->primary, sizeof p->primary, "%s", pinyin_first ? py : han);
        snprintf(p->other, sizeof p->other, "%s|%s", pinyin_first ? han : py,
                 pinyin_first ? "Hans" : "Latn");
        p->han = !pinyin_first;
        p->lang_main = chance(6) ? "yue" : "zh";
    } else if (kind < 80) { /* Tibetan */
        const hz *a = &tibetan[rn(N(tibetan))], *b = &tibetan[rn(N(tibetan))];
        char han[64], lat[64];
        snprintf(han, sizeof han, "%s%s", a->han, b->han);
        snprintf(lat, sizeof lat, "%s %s", a->py, b->py);
        bool latin_first = chance(50);
        snprintf(p->primary, sizeof p->primary, "%s", latin_first ? lat : han);
        snprintf(p->other, sizeof p->other, "%s|%s", latin_first ? han : lat,
                 latin_first ? "Hans" : "Latn");
        p->han = !latin_first;
        p->lang_main = "bo";
    } else {
        snprintf(p->primary, sizeof p->primary, "%s %s", first_names[rn(N(first_names))],
                 last_names[rn(N(last_names))]);
        p->han = false;
        static const char *const langs[] = {"en", "en", "en", "fr", "de", "it", "es", "ja", "ko"};
        p->lang_main = langs[rn(N(langs))];
    }
}

static int gen(const char *dir, long profiles, int queries)
{
    char path[1024];
    FILE *fp, *fc, *fu, *fz, *fl, *ff, *fm;
#define OPEN(f, name)                                                                              \
    do {                                                                                           \
        snprintf(path, sizeof path, "%s/%s", dir, name);                                           \
        if (!(f = fopen(path, "w"))) {                                                             \
            perror(path);                                                                          \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)
    OPEN(fp, "people.csv");
    OPEN(fc, "credits.csv");
    OPEN(fu, "unavailable.csv");
    OPEN(fz, "q_zh.txt");
    OPEN(fl, "q_latn.txt");
    OPEN(ff, "facets.txt");
    OPEN(fm, "match.txt");
    fputs("ref,primary_name,other_names,crafts,skills,languages,country,region,city,travel,"
          "email,phone,day_rate,week_rate,currency,listed,consent_attested\n",
          fp);
    fputs("ref,title,role,craft,year,company\n", fc);
    fputs("ref,start,end\n", fu);
    /* Query samples: every (profiles / queries)-th person gives one of each. */
    long every = profiles / queries > 0 ? profiles / queries : 1;
    int nz = 0, nl = 0;
    long credits = 0;
    int carry = 0;
    for (long i = 1; i <= profiles; i++) {
        person p;
        make_name(&p);
        char ref[32];
        snprintf(ref, sizeof ref, "p%07ld", i);
        p.ncrafts = 1 + (chance(40) ? 1 : 0) + (chance(15) ? 1 : 0);
        for (int k = 0; k < p.ncrafts; k++) {
            int c;
            bool dup;
            do {
                c = weighted_craft();
                dup = false;
                for (int j = 0; j < k; j++)
                    dup |= p.crafts[j] == c;
            } while (dup);
            p.crafts[k] = c;
        }
        fputs(ref, fp);
        fputc(',', fp);
        csv_cell(fp, p.primary);
        fputc(',', fp);
        csv_cell(fp, p.other);
        fputc(',', fp);
        for (int k = 0; k < p.ncrafts; k++)
            fprintf(fp, "%s%s", k ? ";" : "", crafts[p.crafts[k]].code);
        fputc(',', fp);
        int ns = rn(4);
        int s0 = rn(N(skills));
        for (int k = 0; k < ns; k++)
            fprintf(fp, "%s%s", k ? ";" : "", skills[(s0 + k * 7) % N(skills)]);
        fputc(',', fp);
        /* Languages. */
        const char *levels[] = {"native", "fluent", "professional", "conversational", "basic"};
        fprintf(fp, "%s:native", p.lang_main);
        if (!strcmp(p.lang_main, "bo") || !strcmp(p.lang_main, "yue"))
            fprintf(fp, ";zh:%s", levels[1 + rn(2)]);
        if (strcmp(p.lang_main, "en") && chance(35)) fprintf(fp, ";en:%s", levels[1 + rn(4)]);
        if (strcmp(p.lang_main, "zh") && strcmp(p.lang_main, "bo") && strcmp(p.lang_main, "yue") &&
            chance(20))
            fprintf(fp, ";zh:%s", levels[2 + rn(3)]);
        int ci = p.han || !strcmp(p.lang_main, "bo") ? weighted_city() % 20 : weighted_city();
        const city *c = &cities[ci];
        fprintf(fp, ",%s,", c->country);
        csv_cell(fp, c->region);
        fputc(',', fp);
        csv_cell(fp, c->city);
        fprintf(fp, ",%s,", travels[rn(4)]);
        if (chance(50)) fprintf(fp, "p%ld@example.com", i);
        fputc(',', fp);
        if (chance(30)) fprintf(fp, "+86 1%02d %04d %04d", rn(100), rn(10000), rn(10000));
        fputc(',', fp);
        if (chance(60)) {
            int day = 500 + 100 * rn(76);
            fprintf(fp, "%d,%d,CNY", day, day * 5);
        } else
            fputs(",,", fp);
        fprintf(fp, ",%s,yes\n", chance(97) ? "yes" : "no");
        /* Credits: 0-10 a person, pairs summing to 10 (exactly 5 on average). */
        int nc = (i % 2) ? (carry = rn(11)) : 10 - carry;
        if (i == profiles && (i % 2)) nc = 5;
        for (int k = 0; k < nc; k++) {
            char title[96];
            if (chance(55))
                snprintf(title, sizeof title, "%s%s", title_a[rn(N(title_a))],
                         title_b[rn(N(title_b))]);
            else
                snprintf(title, sizeof title, "%s %s", title_en_a[rn(N(title_en_a))],
                         title_en_b[rn(N(title_en_b))]);
            const craft *cr = &crafts[p.crafts[rn(p.ncrafts)]];
            fprintf(fc, "%s,", ref);
            csv_cell(fc, title);
            fprintf(fc, ",%s,%s,", cr->role, cr->code);
            if (chance(90)) fprintf(fc, "%d", 1990 + rn(37));
            fputc(',', fc);
            csv_cell(fc, companies[rn(N(companies))]);
            fputc('\n', fc);
            credits++;
        }
        /* Unavailable ranges. */
        if (chance(10))
            for (int k = 0, n = 1 + rn(2); k < n; k++) {
                int m = rn(13), d = 1 + rn(25), len = 3 + rn(30);
                int y = m == 0 ? 2026 : 2027, mo = m == 0 ? 12 : m;
                int64_t days;
                ms_days_from_civil(y, mo, d, &days);
                char s[16], e[16];
                int64_t t = days * 86400000LL;
                char buf[MS_TIME_LEN];
                ms_time_fmt(t, buf);
                snprintf(s, sizeof s, "%.10s", buf);
                ms_time_fmt(t + (int64_t)len * 86400000LL, buf);
                snprintf(e, sizeof e, "%.10s", buf);
                fprintf(fu, "%s,%s,%s\n", ref, s, e);
            }
        /* Query samples. */
        if (i % every == 0) {
            char q[96];
            const char *han = p.han ? p.primary : NULL;
            const char *latin = p.han ? NULL : p.primary;
            if (!han && strchr(p.other, '|') && ((unsigned char)p.other[0] & 0x80)) han = p.other;
            if (!latin && strchr(p.other, '|')) latin = p.other;
            if (han) {
                char h[96];
                snprintf(h, sizeof h, "%s", han);
                if (strchr(h, '|')) *strchr(h, '|') = 0;
                if (nz < queries && substring(h, 2, 3, q, sizeof q)) {
                    fprintf(fz, "%s\n", q);
                    nz++;
                }
            }
            if (latin) {
                char h[96];
                snprintf(h, sizeof h, "%s", latin);
                if (strchr(h, '|')) *strchr(h, '|') = 0;
                bool got = false;
                for (int tries = 0; tries < 8 && !got; tries++)
                    got = substring(h, 3, 6, q, sizeof q);
                if (nl < queries && got) {
                    fprintf(fl, "%s\n", q);
                    nl++;
                }
            }
        }
    }
    /* Faceted searches and match needs. */
    static const char *const langs[] = {"zh", "zh", "zh", "en", "bo", "yue", "fr", "ja"};
    for (int k = 0; k < queries; k++) {
        int m = 1 + rn(12), d = 1 + rn(20), len = 7 * (1 + rn(4));
        int64_t days;
        ms_days_from_civil(2027, m, d, &days);
        char buf[MS_TIME_LEN], from[16], to[16];
        ms_time_fmt(days * 86400000LL, buf);
        snprintf(from, sizeof from, "%.10s", buf);
        ms_time_fmt((days + len) * 86400000LL, buf);
        snprintf(to, sizeof to, "%.10s", buf);
        const char *lang = langs[rn(N(langs))];
        const craft *cr = &crafts[weighted_craft()];
        fprintf(ff, "craft=%s&language=%s%s&available_from=%s&available_to=%s\n", cr->code, lang,
                chance(30) ? "&level=fluent" : "", from, to);
        const city *c = &cities[weighted_city()];
        fprintf(fm,
                "{\"craft\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"languages\":[{\"tag\":\"%s\","
                "\"level\":\"%s\"}%s]",
                cr->code, from, to, lang, chance(50) ? "fluent" : "professional",
                chance(30) ? ",{\"tag\":\"en\",\"level\":\"conversational\"}" : "");
        if (chance(50))
            fprintf(fm, ",\"location\":{\"country\":\"%s\",\"city\":\"%s\"}", c->country, c->city);
        if (chance(50))
            fprintf(fm, ",\"budget\":{\"currency\":\"CNY\",\"day\":\"%d\"}", 1000 + 500 * rn(12));
        fputs(",\"limit\":20}\n", fm);
    }
    FILE *all[] = {fp, fc, fu, fz, fl, ff, fm};
    for (int k = 0; k < N(all); k++)
        if (fclose(all[k])) {
            perror("write");
            return 1;
        }
    printf("profiles=%ld credits=%ld q_zh=%d q_latn=%d\n", profiles, credits, nz, nl);
    return 0;
}

/* ---- The LIKE baseline. ---- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
    int i = (int)(n * p / 100.0 + 0.999999) - 1;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return v[i];
}

static int like(const char *data, int nfiles, char **files)
{
    ms_config cfg;
    ms_error e;
    ms_error_clear(&e);
    const char *flags[] = {"data", data, "log_level", "warn", NULL};
    db *d;
    if (ms_config_load(&cfg, flags, environ, &e) || app_store_open(&cfg, 1, &d, &e)) {
        fprintf(stderr, "bench_talent_gen: %s\n", e.detail);
        return 1;
    }
    db_conn *c = db_acquire(d);
    ms_arena a;
    ms_arena_init(&a, 65536);
    for (int f = 0; f < nfiles; f++) {
        FILE *in = fopen(files[f], "r");
        if (!in) {
            perror(files[f]);
            return 1;
        }
        double *t = NULL;
        int n = 0, cap = 0;
        long rows = 0;
        char line[256];
        while (fgets(line, sizeof line, in)) {
            line[strcspn(line, "\r\n")] = 0;
            if (!*line) continue;
            /* As the naive search would: the term anywhere in the name or the other names. */
            char *pat = ms_arena_printf(&a, "%%%s%%", line);
            uint64_t t0 = ms_mono_ns();
            db_stmt *st;
            int rc = db_query(c, &st, &e,
                              "SELECT id, primary_name FROM talent_profile WHERE primary_name LIKE "
                              "? OR names LIKE ? LIMIT 20",
                              "ss", pat, pat);
            if (!rc) {
                while ((rc = db_step(st, &e)) == DB_ROW)
                    rows++;
                db_done(st);
            }
            if (rc < 0) {
                fprintf(stderr, "bench_talent_gen: %s\n", e.detail);
                return 1;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                t = realloc(t, (size_t)cap * sizeof *t);
                if (!t) return 1;
            }
            t[n++] = (double)(ms_mono_ns() - t0) / 1e6;
            ms_arena_reset(&a);
        }
        fclose(in);
        qsort(t, (size_t)n, sizeof *t, cmp_d);
        printf("like %s n=%d p50_ms=%.3f p99_ms=%.3f rows=%ld\n", files[f], n,
               n ? pct(t, n, 50) : 0, n ? pct(t, n, 99) : 0, rows);
        free(t);
    }
    ms_arena_free(&a);
    db_release(c);
    db_close(d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "gen")) {
        long profiles = atol(argv[3]);
        int queries = argc > 4 ? atoi(argv[4]) : 1000;
        if (profiles < 10 || queries < 1) {
            fprintf(stderr, "bench_talent_gen gen: PROFILES >= 10\n");
            return 2;
        }
        return gen(argv[2], profiles, queries);
    }
    if (argc >= 4 && !strcmp(argv[1], "like")) return like(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: bench_talent_gen gen OUT_DIR PROFILES [QUERIES]\n"
                    "       bench_talent_gen like DATA_DIR QUERY_FILE...\n");
    return 2;
}
