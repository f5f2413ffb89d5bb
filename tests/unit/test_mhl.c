/* test_mhl.c: ASC MHL (src/mhl/): hash formats against published vectors (the reference tool's
 * tests, C4's, xxHash's, RFC 1321 / FIPS 180), directory hashes against the reference tool's
 * published scenario output, generation and chain files against the ASC XSD, create and verify
 * on real folders (changed, deleted, new files, a second generation, a tampered chain), a
 * history written by the reference tool, and hostile XML. Not a benchmark. */
#include "unit.h"

#include "mhl/mhl.h"

#include <dirent.h>
#include <fcntl.h>
#include <libxml/xmlschemas.h>
#include <sys/stat.h>

/* ---- helpers ---- */

static void write_file(const char *dir, const char *rel, const char *content)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    /* make the parent folders */
    for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(content, 1, strlen(content), f);
    fclose(f);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

/* The lines a run reported. */
typedef struct lines {
    char kind[64][16];
    char path[64][256];
    int n;
} lines;

static void collect(void *ctx, const char *kind, const char *path, const char *detail)
{
    lines *l = ctx;
    (void)detail;
    if (l->n == 64) return;
    snprintf(l->kind[l->n], sizeof l->kind[0], "%s", kind);
    snprintf(l->path[l->n], sizeof l->path[0], "%s", path);
    l->n++;
}

static bool has_line(const lines *l, const char *kind, const char *path)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->kind[i], kind) && (!path || !strcmp(l->path[i], path))) return true;
    return false;
}

static void digest_is(mhl_format f, const char *input, const char *want)
{
    char out[MHL_DIGEST_MAX];
    ms_error e;
    assert_int_equal(mhl_hash_data(f, input, strlen(input), out, &e), 0);
    assert_string_equal(out, want);
}

static int create(const char *dir, mhl_format f, lines *l, mhl_result *r)
{
    mhl_create_opts o;
    memset(&o, 0, sizeof o);
    o.format = f;
    o.report = collect;
    o.ctx = l;
    ms_error e;
    ms_error_clear(&e);
    int rc = mhl_create(dir, &o, r, &e);
    if (rc) fprintf(stderr, "mhl_create: %s\n", e.detail);
    return rc;
}

static int verify(const char *dir, lines *l, mhl_result *r, ms_error *e)
{
    memset(l, 0, sizeof *l);
    ms_error_clear(e);
    return mhl_verify(dir, collect, l, r, e);
}

/* The path of the only generation file with sequence number seq. */
static void generation_path(const char *dir, int seq, char out[4400])
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "%04d_", seq);
    char folder[4100];
    snprintf(folder, sizeof folder, "%s/ascmhl", dir);
    DIR *d = opendir(folder);
    assert_non_null(d);
    out[0] = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (!strncmp(de->d_name, pattern, 5)) snprintf(out, 4400, "%s/%s", folder, de->d_name);
    closedir(d);
    assert_true(out[0]);
}

/* Validate a document against an XSD of tests/data/mhl. */
static void assert_valid(const char *xml, size_t len, const char *xsd)
{
    const char *src = getenv("MS_SOURCE_DIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/data/mhl/%s", src ? src : ".", xsd);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    assert_non_null(pc);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "mhl.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    int rc = xmlSchemaValidateDoc(vc, doc);
    if (rc) fprintf(stderr, "%s does not validate:\n%.*s\n", xsd, (int)len, xml);
    assert_int_equal(rc, 0);
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

/* ---- hash formats ---- */

static void test_hash_vectors(void **state)
{
    (void)state;
    /* The reference tool's tests/test_hasher.py: every format of "media-hash-list". */
    digest_is(MHL_MD5, "media-hash-list", "9db0fc9f30f5ee70041a7538809e2858");
    digest_is(MHL_SHA1, "media-hash-list", "7b57673ac5633937a55b59009ad0c57ee08188b7");
    digest_is(MHL_XXH32, "media-hash-list", "f67c5a4f");
    digest_is(MHL_XXH64, "media-hash-list", "584b2ea1974f2b7c");
    digest_is(MHL_XXH3, "media-hash-list", "6d4cbd75905c81aa");
    digest_is(MHL_XXH128, "media-hash-list", "61a67c014f703a456ee7a776fd8c06bd");
    digest_is(
        MHL_C4, "media-hash-list",
        "c456LycWwpMMS7VDZEKvYv2L1uJS6s4qAFnaJdnQiy5JVbBFZMA8aLDS6SPaJjLqxXH4qZdnbuktopMt9frtC2"
        "qL1R");
    /* xxHash: the empty input and "abc" (canonical, big-endian). */
    digest_is(MHL_XXH128, "", "99aa06d3014798d86001c324468d497f");
    digest_is(MHL_XXH128, "abc", "06b05ab6733a618578af5f94892f3950");
    digest_is(MHL_XXH64, "", "ef46db3751d8e999");
    digest_is(MHL_XXH64, "abc", "44bc2cf5ad770999");
    /* RFC 1321 and FIPS 180 vectors. */
    digest_is(MHL_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
    digest_is(MHL_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
    digest_is(MHL_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    /* C4 (SMPTE ST 2114), the vectors of the C4 reference implementation. */
    char c4[MHL_DIGEST_MAX];
    mhl_c4("", 0, c4);
    assert_string_equal(c4, "c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5o"
                            "QstpDuni4Hirj75GEmTc1sFT");
    mhl_c4("alfa", 4, c4);
    assert_string_equal(c4, "c43zYcLni5LF9rR4Lg4B8h3Jp8SBwjcnyyeh4bc6gTPHndKuKdjUWx1kJPYhZxYt3z"
                            "V6tQXpDs2shPsPYjgG81wZM1");
    mhl_c4("bravo", 5, c4);
    assert_string_equal(c4, "c42jd8KUQG9DKppN1qt5aWS3PAmdPmNutXyVTb8H123FcuU3shPxpUXsVdcouSALZ4"
                            "PaDvMYzQSMYCWkb6rop9zhDa");
    assert_true(mhl_digest_valid(MHL_C4, c4));
    assert_int_equal(strlen(c4), 90);

    /* Several formats in one pass, fed in pieces, equal one format at a time. */
    mhl_hasher *h;
    ms_error e;
    assert_int_equal(
        mhl_hasher_new(MHL_FMT_BIT(MHL_XXH128) | MHL_FMT_BIT(MHL_MD5) | MHL_FMT_BIT(MHL_C4), &h,
                       &e),
        0);
    mhl_hasher_update(h, "media-", 6);
    mhl_hasher_update(h, "hash-list", 9);
    char d[MHL_NFORMATS][MHL_DIGEST_MAX];
    mhl_hasher_final(h, d);
    assert_string_equal(d[MHL_XXH128], "61a67c014f703a456ee7a776fd8c06bd");
    assert_string_equal(d[MHL_MD5], "9db0fc9f30f5ee70041a7538809e2858");
    assert_string_equal(d[MHL_C4],
                        "c456LycWwpMMS7VDZEKvYv2L1uJS6s4qAFnaJdnQiy5JVbBFZMA8aLDS6SPaJjLqx"
                        "XH4qZdnbuktopMt9frtC2qL1R");
    mhl_hasher_final(h, d); /* reset: now the empty input */
    assert_string_equal(d[MHL_MD5], "d41d8cd98f00b204e9800998ecf8427e");
    mhl_hasher_free(h);

    assert_int_equal(mhl_format_parse("xxh128"), MHL_XXH128);
    assert_int_equal(mhl_format_parse("sha256"), MHL_NONE);
    assert_false(mhl_format_dirhash_ok(MHL_XXH32));
    assert_false(mhl_digest_valid(MHL_XXH64, "584B2EA1974F2B7C"));
    assert_false(mhl_digest_valid(MHL_XXH64, "584b2ea1974f2b7"));
    assert_false(mhl_digest_valid(MHL_C4, "c40000"));
}

static void test_hash_of_hashes(void **state)
{
    (void)state;
    /* The reference's test_hash_of_hash_list: sorted, decoded, concatenated, hashed. */
    const char *list[] = {"bb", "aa10", "aa01", "aa"};
    const struct {
        mhl_format f;
        const char *want;
    } v[] = {
        {MHL_MD5, "88abf5c156ff637c6380ae461fc50c3f"},
        {MHL_SHA1, "22ad6b98111f6571c9ae1449988260b920960c16"},
        {MHL_XXH32, "48d7bd5a"},
        {MHL_XXH64, "c4e803e454029ee4"},
        {MHL_XXH3, "d908e88da5ad4928"},
        {MHL_XXH128, "9041108a28887a9d35b4eac5bbaa5794"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char out[MHL_DIGEST_MAX];
        ms_error e;
        assert_int_equal(mhl_hash_of_hashes(v[i].f, list, 4, out, &e), 0);
        assert_string_equal(out, v[i].want);
    }
    assert_string_equal(list[0], "bb"); /* the caller's array is left alone */
}

/* ---- directory hashes, from entries (no file system) ---- */

/* The reference's test card A002R2EC (tests/test_scenarios.py) and the directory hashes its
 * scenarios print (examples/scenarios/Output README): xxh64 in scenario 01, md5 in 03. */
static void test_directory_hashes_reference(void **state)
{
    (void)state;
    mhl_hash h[3][2] = {
        {{MHL_XXH64, MHL_ORIGINAL, MHL_NO_TIME, "0ea03b369a463d9d"},
         {MHL_MD5, MHL_ORIGINAL, MHL_NO_TIME, "f5ac8127b3b6b85cdc13f237c6005d80"}},
        {{MHL_XXH64, MHL_ORIGINAL, MHL_NO_TIME, "7680e5f98f4a80fd"},
         {MHL_MD5, MHL_ORIGINAL, MHL_NO_TIME, "614dd0e977becb4c6f7fa99e64549b12"}},
        {{MHL_XXH64, MHL_ORIGINAL, MHL_NO_TIME, "3ab5a4166b9bde44"},
         {MHL_MD5, MHL_ORIGINAL, MHL_NO_TIME, "6425c5a180ca0f420dd2b25be4536a91"}},
    };
    mhl_entry x[3] = {
        {"Sidecar.txt", 58, MHL_NO_TIME, h[2], 2},
        {"Clips/A002C007_141024_R2EC.mov", 4, MHL_NO_TIME, h[1], 2},
        {"Clips/A002C006_141024_R2EC.mov", 5, MHL_NO_TIME, h[0], 2},
    };
    mhl_dirhash *d;
    size_t n;
    ms_error e;
    assert_int_equal(mhl_directory_hashes(x, 3, NULL, 0, MHL_XXH64, &d, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(d[0].path, "Clips");
    assert_string_equal(d[0].content, "4c226b42e27d7af3");
    assert_string_equal(d[0].structure, "906faa843d591a9f");
    assert_string_equal(d[1].path, "");
    assert_string_equal(d[1].content, "8d02114c32e28cbe");
    assert_string_equal(d[1].structure, "f557f8ca8e5a88ef");
    mhl_dirhashes_free(d, n);
    assert_int_equal(mhl_directory_hashes(x, 3, NULL, 0, MHL_MD5, &d, &n, &e), 0);
    assert_string_equal(d[0].content, "202a2d71b56b080d9b089c1f4f29a4ba");
    assert_string_equal(d[0].structure, "4a739024fd19d928e9dea6bb5c480200");
    assert_string_equal(d[1].content, "6fae2da9bc6dca45486cb91bfea6db70");
    assert_string_equal(d[1].structure, "be1f2eaed208efbed061845a64cacdfa");
    mhl_dirhashes_free(d, n);

    /* A file and a folder of one name, and one path twice, are refused. */
    mhl_entry bad[2] = {{"Clips", 1, MHL_NO_TIME, h[0], 2}, x[2]};
    assert_int_equal(mhl_directory_hashes(bad, 2, NULL, 0, MHL_XXH64, &d, &n, &e), MS_EINVAL);
    mhl_entry twice[2] = {x[0], x[0]};
    assert_int_equal(mhl_directory_hashes(twice, 2, NULL, 0, MHL_XXH64, &d, &n, &e), MS_EINVAL);
    mhl_entry up[1] = {{"../x", 1, MHL_NO_TIME, h[0], 2}};
    assert_int_equal(mhl_directory_hashes(up, 1, NULL, 0, MHL_XXH64, &d, &n, &e), MS_EINVAL);
}

/* ---- rendering and parsing ---- */

static void test_render_parse_xsd(void **state)
{
    (void)state;
    mhl_hash h[3] = {
        {MHL_XXH128, MHL_ORIGINAL, 1579166100, "61a67c014f703a456ee7a776fd8c06bd"},
        {MHL_XXH128, MHL_VERIFIED, 1579166100, "99aa06d3014798d86001c324468d497f"},
        {MHL_MD5, MHL_VERIFIED, 1579166100, "d41d8cd98f00b204e9800998ecf8427e"},
    };
    mhl_entry x[2] = {
        {"Reel 1/A001 <&> \xe7\x89\x87.mov", 15, 1579080600, &h[0], 1},
        {"empty.txt", 0, MHL_NO_TIME, &h[1], 2},
    };
    mhl_dir dirs[1] = {{"Reel 1/empty folder", 1579080600}};
    const char *ignore[] = {".DS_Store", "ascmhl", "ascmhl/"};
    mhl_render r;
    memset(&r, 0, sizeof r);
    r.creator.created = 1579166100; /* 2020-01-16T09:15:00Z */
    r.creator.hostname = "cart-1";
    r.creator.author_name = "Dana Wrangler";
    r.creator.author_email = "dana@example.com";
    r.creator.location = "Stage 4";
    r.creator.comment = "day 12";
    r.ignore = ignore;
    r.nignore = 3;
    r.entries = x;
    r.nentries = 2;
    r.dirs = dirs;
    r.ndirs = 1;
    r.dir_format = MHL_XXH128;
    r.hashdate = 1579166100;
    ms_buf gen, chain;
    ms_buf_init(&gen);
    ms_buf_init(&chain);
    char name[256];
    ms_error e;
    assert_int_equal(mhl_render_first_generation(&r, "A001", &gen, name, &chain, &e), 0);
    assert_string_equal(name, "0001_A001_2020-01-16_091500Z.mhl");
    assert_non_null(strstr(gen.data, "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">"));
    assert_non_null(strstr(gen.data, "<creationdate>2020-01-16T09:15:00+00:00</creationdate>"));
    assert_non_null(strstr(gen.data, "A001 &lt;&amp;&gt; \xe7\x89\x87.mov</path>"));
    assert_non_null(strstr(chain.data, "<ascmhldirectory xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\">"));
    assert_valid(gen.data, gen.len, "ASCMHL.xsd");
    assert_valid(chain.data, chain.len, "ASCMHLDirectory.xsd");

    /* The chain names the generation with the C4 id of its bytes. */
    mhl_chain_link *links;
    size_t nlinks;
    assert_int_equal(mhl_parse_chain(chain.data, chain.len, &links, &nlinks, &e), 0);
    assert_int_equal(nlinks, 1);
    assert_int_equal(links[0].seq, 1);
    assert_string_equal(links[0].name, name);
    char c4[MHL_DIGEST_MAX];
    mhl_c4(gen.data, gen.len, c4);
    assert_string_equal(links[0].c4, c4);
    free(links);

    /* And it reads back. */
    mhl_generation *g;
    assert_int_equal(mhl_parse_generation(gen.data, gen.len, &g, &e), 0);
    assert_int_equal(g->nentries, 2);
    assert_int_equal(g->creator.created, 1579166100);
    assert_string_equal(g->creator.hostname, "cart-1");
    assert_string_equal(g->creator.author_email, "dana@example.com");
    assert_string_equal(g->process, "in-place");
    assert_int_equal(g->nignore, 3);
    assert_int_equal(g->nroots, 1);
    assert_int_equal(g->ndirs, 2); /* "Reel 1/empty folder" and "Reel 1" */
    const mhl_entry *a = NULL;
    for (size_t i = 0; i < g->nentries; i++)
        if (g->entries[i].size == 15) a = &g->entries[i];
    assert_non_null(a);
    assert_string_equal(a->path, x[0].path);
    assert_int_equal(a->mtime, 1579080600);
    assert_int_equal(a->hashes[0].action, MHL_ORIGINAL);
    assert_string_equal(a->hashes[0].digest, h[0].digest);
    mhl_generation_free(g);

    /* Without directory hashes and without entries: still valid (no empty <hashes>). */
    r.nentries = 0;
    r.ndirs = 0;
    r.dir_format = MHL_NONE;
    ms_buf_reset(&gen);
    assert_int_equal(mhl_render_generation(&r, &gen, &e), 0);
    assert_null(strstr(gen.data, "<hashes"));
    assert_valid(gen.data, gen.len, "ASCMHL.xsd");

    /* Bad input to the renderer. */
    mhl_entry badd[1] = {{"x", 1, MHL_NO_TIME, &h[0], 1}};
    mhl_hash badh = {MHL_XXH64, MHL_ORIGINAL, MHL_NO_TIME, "not-hex"};
    badd[0].hashes = &badh;
    r.entries = badd;
    r.nentries = 1;
    assert_int_equal(mhl_render_generation(&r, &gen, &e), MS_EINVAL);
    badd[0].hashes = &h[0];
    badd[0].path = "/etc/passwd";
    assert_int_equal(mhl_render_generation(&r, &gen, &e), MS_EINVAL);
    r.nentries = 0;
    r.creator.author_email = "not-an-address";
    assert_int_equal(mhl_render_generation(&r, &gen, &e), MS_EINVAL);
    assert_int_equal(mhl_generation_name(1, "a/b", 0, name, &e), MS_EINVAL);
    ms_buf_free(&gen);
    ms_buf_free(&chain);
}

static void test_hostile_xml(void **state)
{
    (void)state;
#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define INFO                                                                                       \
    "<creatorinfo><creationdate>2020-01-16T09:15:00+00:00</creationdate><hostname>h</hostname>"    \
    "<tool version=\"1\">t</tool></creatorinfo><processinfo><process>in-place</process>"           \
    "</processinfo>"
#define HASH(p)                                                                                    \
    "<hashes><hash><path size=\"1\">" p "</path><xxh64>0ea03b369a463d9d</xxh64></hash></hashes>"
#define DOC(body)                                                                                  \
    HEAD "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">" INFO body "</hashlist>"
    const char *good = DOC(HASH("Clips/a.mov"));
    const char *bad[] = {
        DOC(HASH("../x")),
        DOC(HASH("Clips/../../x")),
        DOC(HASH("/etc/passwd")),
        DOC(HASH("a//b")),
        DOC(HASH("a/./b")),
        DOC(HASH("")),
        DOC(HASH("a\\..\\b")),
        HEAD "<!DOCTYPE hashlist [<!ENTITY x \"../../etc\">]><hashlist version=\"2.0\" "
             "xmlns=\"urn:ASC:MHL:v2.0\">" INFO HASH("&x;/passwd") "</hashlist>",
        HEAD "<!DOCTYPE hashlist SYSTEM \"http://example.com/x.dtd\"><hashlist/>",
        HEAD "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
             "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><hashlist>&c;</hashlist>",
        HEAD "<hashlist version=\"2.0\" xmlns=\"urn:evil\">" INFO "</hashlist>",
        HEAD "<hashlist version=\"1.0\" xmlns=\"urn:ASC:MHL:v2.0\">" INFO "</hashlist>",
        DOC("<hashes><hash><path>a</path><xxh64>zz</xxh64></hash></hashes>"),
        DOC("<hashes><hash><path size=\"-1\">a</path><xxh64>0ea03b369a463d9d</xxh64></hash>"
            "</hashes>"),
        DOC("<hashes><hash><path>a</path></hash></hashes>"),
        DOC("<hashes><hash><path>a</path><sha256>00</sha256></hash></hashes>"),
        DOC("<hashes><hash><path>a</path><xxh64 action=\"trust-me\">0ea03b369a463d9d</xxh64>"
            "</hash></hashes>"),
        HEAD "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">" INFO "<hashes>",
        "not xml at all",
        "",
    };
    mhl_generation *g;
    ms_error e;
    assert_int_equal(mhl_parse_generation(good, strlen(good), &g, &e), 0);
    assert_int_equal(g->nentries, 1);
    mhl_generation_free(g);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms_error_clear(&e);
        int rc = mhl_parse_generation(bad[i], strlen(bad[i]), &g, &e);
        if (!rc) fprintf(stderr, "accepted: %s\n", bad[i]);
        assert_int_not_equal(rc, 0);
        assert_null(g);
        assert_true(e.detail[0]);
    }
    /* <metadata> content is skipped, whatever its namespace. */
    const char *meta =
        DOC("<hashes><hash><path>a</path><xxh64>0ea03b369a463d9d</xxh64><metadata><x:y "
            "xmlns:x=\"urn:other\">z</x:y></metadata></hash></hashes>");
    assert_int_equal(mhl_parse_generation(meta, strlen(meta), &g, &e), 0);
    mhl_generation_free(g);

    /* The chain: file names only, C4 ids, sequence numbers. */
    const char *chains[] = {
        HEAD "<ascmhldirectory xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\"><hashlist sequencenr=\"1\">"
             "<path>../0001_x.mhl</path><c4>c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrA"
             "kZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT</c4></hashlist></ascmhldirectory>",
        HEAD "<ascmhldirectory xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\"><hashlist sequencenr=\"x\">"
             "<path>0001_x.mhl</path><c4>c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrA"
             "kZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT</c4></hashlist></ascmhldirectory>",
        HEAD "<ascmhldirectory xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\"><hashlist sequencenr=\"1\">"
             "<path>0001_x.mhl</path><c4>c4short</c4></hashlist></ascmhldirectory>",
        HEAD "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ascmhldirectory "
             "xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\">&e;</ascmhldirectory>",
    };
    for (size_t i = 0; i < sizeof chains / sizeof *chains; i++) {
        mhl_chain_link *links;
        size_t n;
        assert_int_not_equal(mhl_parse_chain(chains[i], strlen(chains[i]), &links, &n, &e), 0);
        assert_null(links);
    }
    /* Too large to read. */
    assert_int_equal(mhl_parse_generation(good, MHL_MAX_XML + 1, &g, &e), MS_ETOOBIG);
}

static void test_ignore_patterns(void **state)
{
    (void)state;
    const char *p[] = {".DS_Store", "ascmhl/", "*.tmp", "/Proxies", "Audio/**/*.wav", "cache/"};
    assert_true(mhl_ignored(p, 6, ".DS_Store", false));
    assert_true(mhl_ignored(p, 6, "Clips/.DS_Store", false));
    assert_true(mhl_ignored(p, 6, "a/b/ascmhl", true));
    assert_false(mhl_ignored(p, 6, "a/b/ascmhl", false)); /* "ascmhl/": folders only */
    assert_true(mhl_ignored(p, 6, "x/y.tmp", false));
    assert_false(mhl_ignored(p, 6, "x/y.tmpl", false));
    assert_true(mhl_ignored(p, 6, "Proxies", true));
    assert_false(mhl_ignored(p, 6, "Day1/Proxies", true)); /* anchored at the root */
    assert_true(mhl_ignored(p, 6, "Audio/a/b/c.wav", false));
    assert_true(mhl_ignored(p, 6, "Audio/c.wav", false));
    assert_false(mhl_ignored(p, 6, "Audio/c.bwf", false));
    const char *q[] = {"A00[1-3]*", "?.txt", "**/deep"};
    assert_true(mhl_ignored(q, 3, "A002C001.mov", false));
    assert_false(mhl_ignored(q, 3, "A004C001.mov", false));
    assert_true(mhl_ignored(q, 3, "x/a.txt", false));
    assert_false(mhl_ignored(q, 3, "ab.txt", false));
    assert_true(mhl_ignored(q, 3, "deep", true));
    assert_true(mhl_ignored(q, 3, "a/b/deep", true));
    assert_false(mhl_ignore_pattern_valid("!keep.mov"));
    assert_false(mhl_ignore_pattern_valid(""));
    /* A pathological pattern against a long name stays fast (no backtracking blow-up). */
    const char *slow[] = {"*a*a*a*a*a*a*a*a*a*a*a*a*b"};
    char name[4001];
    memset(name, 'a', 4000);
    name[4000] = 0;
    assert_false(mhl_ignored(slow, 1, name, false));
}

/* ---- folders ---- */

static void make_card(const char *dir)
{
    write_file(dir, "Sidecar.txt", "BLOREM ipsum dolor sit amet, consetetur sadipscing elitr.\n");
    write_file(dir, "Clips/A002C006_141024_R2EC.mov", "abcd\n");
    write_file(dir, "Clips/A002C007_141024_R2EC.mov", "def\n");
    write_file(dir, ".DS_Store", "finder junk");
}

static void test_create_verify(void **state)
{
    (void)state;
    char *tmp = unit_tmpdir();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/A002R2EC", tmp);
    mkdir(dir, 0755);
    make_card(dir);
    char link[4300];
    snprintf(link, sizeof link, "%s/link.mov", dir);
    assert_int_equal(symlink("/etc/passwd", link), 0);

    lines l;
    memset(&l, 0, sizeof l);
    mhl_result r;
    chmod(dir, 0755);
    mode_t old_mask = umask(077); /* what mstation's main sets */
    assert_int_equal(create(dir, MHL_XXH64, &l, &r), 0);
    umask(old_mask);
    assert_int_equal(r.files, 3);
    assert_int_equal(r.originals, 3);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.skipped, 1);
    assert_true(has_line(&l, "skipped", "link.mov"));
    assert_non_null(strstr(r.generation, "0001_A002R2EC_"));
    assert_non_null(strstr(r.generation, "Z.mhl"));

    /* The files on disk: valid against the XSD, the reference's directory hashes. */
    char gpath[4400], cpath[4300];
    generation_path(dir, 1, gpath);
    size_t len;
    struct stat st;
    assert_int_equal(stat(gpath, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644); /* as readable as the card, not the umask */
    char *xml = read_all(gpath, &len);
    assert_valid(xml, len, "ASCMHL.xsd");
    assert_non_null(strstr(xml, ">8d02114c32e28cbe</xxh64>"));
    assert_non_null(strstr(xml, ">f557f8ca8e5a88ef</xxh64>"));
    assert_null(strstr(xml, ".DS_Store</path>"));
    assert_null(strstr(xml, "link.mov"));
    free(xml);
    snprintf(cpath, sizeof cpath, "%s/ascmhl/ascmhl_chain.xml", dir);
    xml = read_all(cpath, &len);
    assert_valid(xml, len, "ASCMHLDirectory.xsd");
    free(xml);

    ms_error e;
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.verified, 3);
    assert_int_equal(r.bytes, 67);

    /* One byte changed (same size): named. */
    write_file(dir, "Clips/A002C006_141024_R2EC.mov", "abce\n");
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 1);
    assert_true(has_line(&l, "mismatch", "Clips/A002C006_141024_R2EC.mov"));
    write_file(dir, "Clips/A002C006_141024_R2EC.mov", "abcd\n");

    /* Deleted: missing. Added: new. */
    snprintf(link, sizeof link, "%s/Sidecar.txt", dir);
    unlink(link);
    write_file(dir, "Clips/A002C008_141024_R2EC.mov", "new clip\n");
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 2);
    assert_true(has_line(&l, "missing", "Sidecar.txt"));
    assert_true(has_line(&l, "new", "Clips/A002C008_141024_R2EC.mov"));
    write_file(dir, "Sidecar.txt", "BLOREM ipsum dolor sit amet, consetetur sadipscing elitr.\n");

    /* A second generation: the new clip is original, the rest verified; then all verifies. */
    memset(&l, 0, sizeof l);
    assert_int_equal(create(dir, MHL_XXH64, &l, &r), 0);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.originals, 1);
    assert_int_equal(r.verified, 3);
    assert_non_null(strstr(r.generation, "0002_A002R2EC_"));
    xml = read_all(cpath, &len);
    assert_non_null(strstr(xml, "sequencenr=\"2\""));
    free(xml);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.verified, 4);

    /* A third generation in md5: verified against the xxh64 originals, md5 added. */
    memset(&l, 0, sizeof l);
    assert_int_equal(create(dir, MHL_MD5, &l, &r), 0);
    assert_int_equal(r.problems, 0);
    generation_path(dir, 3, gpath);
    xml = read_all(gpath, &len);
    assert_valid(xml, len, "ASCMHL.xsd");
    assert_non_null(strstr(xml, "<md5 action=\"verified\""));
    assert_non_null(strstr(xml, "<xxh64 action=\"verified\""));
    free(xml);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 0);

    /* A changed file makes create fail (exit code) but still records the failure. */
    write_file(dir, "Sidecar.txt", "BLOREM ipsum dolor sit amet, consetetur sadipscing elitr!\n");
    memset(&l, 0, sizeof l);
    assert_int_equal(create(dir, MHL_XXH64, &l, &r), 0);
    assert_int_equal(r.problems, 1);
    assert_int_equal(r.failed, 1);
    assert_true(has_line(&l, "mismatch", "Sidecar.txt"));
    generation_path(dir, 4, gpath);
    xml = read_all(gpath, &len);
    assert_non_null(strstr(xml, "action=\"failed\""));
    free(xml);
    unit_rmdir(tmp);
}

static void test_chain_tampering(void **state)
{
    (void)state;
    char *tmp = unit_tmpdir();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/card", tmp);
    mkdir(dir, 0755);
    make_card(dir);
    lines l;
    memset(&l, 0, sizeof l);
    mhl_result r;
    assert_int_equal(create(dir, MHL_XXH128, &l, &r), 0);
    ms_error e;
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 0);

    /* Someone "fixes" a hash in generation 1 to match a changed file. */
    char gpath[4400];
    generation_path(dir, 1, gpath);
    size_t len;
    char *xml = read_all(gpath, &len);
    char *at = strstr(xml, "<hostname>");
    assert_non_null(at);
    at[10] = at[10] == 'x' ? 'y' : 'x';
    FILE *f = fopen(gpath, "wb");
    fwrite(xml, 1, len, f);
    fclose(f);
    free(xml);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_true(r.problems >= 1);
    assert_true(has_line(&l, "chain", NULL));
    /* create refuses to extend a history that does not verify */
    memset(&l, 0, sizeof l);
    mhl_create_opts o;
    memset(&o, 0, sizeof o);
    assert_int_equal(mhl_create(dir, &o, &r, &e), MS_ECONFLICT);

    /* A generation file the chain does not list. */
    unit_rmdir(tmp);
    tmp = unit_tmpdir();
    snprintf(dir, sizeof dir, "%s/card", tmp);
    mkdir(dir, 0755);
    make_card(dir);
    memset(&l, 0, sizeof l);
    assert_int_equal(create(dir, MHL_XXH128, &l, &r), 0);
    generation_path(dir, 1, gpath);
    char extra[4400];
    snprintf(extra, sizeof extra, "%s/ascmhl/0002_card_2020-01-01_000000Z.mhl", dir);
    xml = read_all(gpath, &len);
    f = fopen(extra, "wb");
    fwrite(xml, 1, len, f);
    fclose(f);
    free(xml);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_true(has_line(&l, "chain", "0002_card_2020-01-01_000000Z.mhl"));

    /* A hostile generation file listed with its correct C4: refused with a clear error. */
    const char *evil =
        HEAD "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">" INFO
             "<hashes><hash><path>../../etc/passwd</path><xxh128>99aa06d3014798d86001c324468d497f"
             "</xxh128></hash></hashes></hashlist>";
    f = fopen(gpath, "wb");
    fputs(evil, f);
    fclose(f);
    unlink(extra);
    mhl_chain_link link = {.seq = 1};
    snprintf(link.name, sizeof link.name, "%s", strrchr(gpath, '/') + 1);
    mhl_c4(evil, strlen(evil), link.c4);
    ms_buf chain;
    ms_buf_init(&chain);
    assert_int_equal(mhl_render_chain(&link, 1, &chain, &e), 0);
    char cpath[4300];
    snprintf(cpath, sizeof cpath, "%s/ascmhl/ascmhl_chain.xml", dir);
    f = fopen(cpath, "wb");
    fwrite(chain.data, 1, chain.len, f);
    fclose(f);
    ms_buf_free(&chain);
    assert_int_equal(verify(dir, &l, &r, &e), MS_EINVAL);
    assert_non_null(strstr(e.detail, "\"..\""));

    /* No history at all. */
    unit_rmdir(tmp);
    tmp = unit_tmpdir();
    assert_int_equal(verify(tmp, &l, &r, &e), MS_ENOTFOUND);
    snprintf(dir, sizeof dir, "%s/nope", tmp);
    assert_int_equal(verify(dir, &l, &r, &e), MS_ENOTFOUND);
    unit_rmdir(tmp);
}

/* A history written by the reference tool (tests/data/mhl/reference, see its README). */
static void test_reference_history(void **state)
{
    (void)state;
    char *tmp = unit_tmpdir();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/A003R2EC", tmp);
    mkdir(dir, 0755);
    write_file(dir, "Sidecar.txt", "Dolor sit amet, consetetur sadipscing elitr.\n");
    write_file(dir, "Clips/A003C011_141024_R2EC.mov", "vbgh\n");
    write_file(dir, "Clips/A003C012_141024_R2EC.mov", "zhgdr\n");
    const char *src = getenv("MS_SOURCE_DIR");
    const char *files[] = {"0001_A003R2EC_2020-01-16_091500Z.mhl", "ascmhl_chain.xml"};
    for (int i = 0; i < 2; i++) {
        char from[4200], to[4300];
        snprintf(from, sizeof from, "%s/tests/data/mhl/reference/%s", src ? src : ".", files[i]);
        size_t len;
        char *data = read_all(from, &len);
        snprintf(to, sizeof to, "ascmhl/%s", files[i]);
        write_file(dir, to, data);
        if (i == 0) assert_valid(data, len, "ASCMHL.xsd");
        free(data);
    }
    lines l;
    mhl_result r;
    ms_error e;
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    for (int i = 0; i < l.n; i++)
        fprintf(stderr, "%s: %s\n", l.kind[i], l.path[i]);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.verified, 3);

    /* An empty folder added: only the directory hashes can tell. */
    char extra[4300];
    snprintf(extra, sizeof extra, "%s/Clips/empty", dir);
    mkdir(extra, 0755);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_true(has_line(&l, "dirhash", "Clips"));
    rmdir(extra);

    /* Our second generation on top of the reference's first. */
    memset(&l, 0, sizeof l);
    assert_int_equal(create(dir, MHL_XXH128, &l, &r), 0);
    assert_int_equal(r.verified, 3);
    assert_int_equal(r.problems, 0);
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_int_equal(r.problems, 0);
    write_file(dir, "Clips/A003C012_141024_R2EC.mov", "zhgdR\n");
    assert_int_equal(verify(dir, &l, &r, &e), 0);
    assert_true(has_line(&l, "mismatch", "Clips/A003C012_141024_R2EC.mov"));
    unit_rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_vectors),
        cmocka_unit_test(test_hash_of_hashes),
        cmocka_unit_test(test_directory_hashes_reference),
        cmocka_unit_test(test_render_parse_xsd),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_ignore_patterns),
        cmocka_unit_test(test_create_verify),
        cmocka_unit_test(test_chain_tampering),
        cmocka_unit_test(test_reference_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
