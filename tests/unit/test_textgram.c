/* test_textgram.c: unit tests of src/core/textgram (folding, words, n-grams of documents and
 * queries) and of src/store/db_text (the same n-grams in the engine's text index: what a
 * query finds and, as important, what it does not). Not a test of the talent module. */
#include "unit.h"

#include "core/buf.h"
#include "core/textgram.h"
#include "store/db_text.h"

static char *fold(const char *s)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(tg_fold(s, strlen(s), &b, &e), 0);
    return b.data ? ms_buf_take(&b) : strdup("");
}

static void expect_fold(const char *in, const char *want)
{
    char *got = fold(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_fold(void **state)
{
    (void)state;
    expect_fold("Zhang Wei", "zhang wei");
    expect_fold("  ZHANG   wei!! ", "zhang wei");
    expect_fold("Zoë Björk-Łódź", "zoe bjork lodz");
    expect_fold("Straße Æsir Œuvre Þór ĳssel", "strasse aesir oeuvre thor ijssel");
    expect_fold("Ａｂｃ１２３", "abc123");                /* fullwidth */
    expect_fold("Ｈｅｌｌｏ，Ｗｏｒｌｄ", "hello world"); /* fullwidth comma separates */
    expect_fold("张伟", "张伟");
    expect_fold("欧阳·娜娜", "欧阳 娜娜");          /* middle dot U+00B7 */
    expect_fold("ジョン・スミス", "ジョン スミス"); /* katakana middle dot */
    expect_fold("王小明、李雷。", "王小明 李雷");   /* CJK punctuation */
    expect_fold("a\xee\x80\x80"
                "b",
                "ab");                       /* private use dropped, not a break */
    expect_fold("e\xcc\x81t\xcc\x81", "et"); /* combining acute dropped */
    expect_fold("ΑΘΗΝΑ Москва", "αθηνα москва");
    expect_fold("བཀྲ་ཤིས", "བཀྲ ཤིས"); /* the tsheg separates syllables */
    expect_fold("", "");
    expect_fold("!!", "");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char *bad[] = {"\xff",         "ab\xc3",           "\xc0\xaf",
                         "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe4\xb8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms_buf b;
        ms_buf_init(&b);
        ms_error e;
        ms_error_clear(&e);
        assert_int_equal(tg_fold(bad[i], strlen(bad[i]), &b, &e), MS_EINVAL);
        assert_int_equal(b.len, 0);
        ms_buf_free(&b);
        ms_error_clear(&e);
        assert_int_equal(tg_query_terms(bad[i], strlen(bad[i]), NULL, NULL, &e), MS_EINVAL);
    }
}

static int collect_doc(void *ctx, const char *tok, size_t len, int pos)
{
    ms_buf *b = ctx;
    if (len == TG_SEP_LEN && !memcmp(tok, TG_SEP, len))
        ms_buf_printf(b, "%s|@%d", b->len ? " " : "", pos);
    else
        ms_buf_printf(b, "%s%.*s@%d", b->len ? " " : "", (int)len, tok, pos);
    return 0;
}

static void expect_doc(const char *in, const char *want)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(tg_doc_tokens(in, strlen(in), 0, collect_doc, &b, &e), 0);
    assert_string_equal(b.data ? b.data : "", want);
    ms_buf_free(&b);
}

static void test_doc_tokens(void **state)
{
    (void)state;
    /* Trigrams at consecutive positions, a separator, bigrams, a separator. */
    expect_doc("Wei", "wei@0 |@1 we@2 ei@3 |@4");
    expect_doc("Li Na", "|@0 li@1 |@2 |@3 na@4 |@5");
    /* CJK: unigrams too. */
    expect_doc("张伟", "|@0 张伟@1 张@2 伟@3 |@4");
    expect_doc("王小明", "王小明@0 |@1 王小@2 小明@3 王@4 小@5 明@6 |@7");
    /* A cap on positions stops the document there. */
    ms_buf b;
    ms_buf_init(&b);
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(tg_doc_tokens("abcdef", 6, 3, collect_doc, &b, &e), 0);
    assert_string_equal(b.data, "abc@0 bcd@1 cde@2");
    ms_buf_free(&b);
}

static int collect_terms(void *ctx, int term, int idx, const char *tok, size_t len)
{
    ms_buf *b = ctx;
    ms_buf_printf(b, "%s%d.%d:%.*s", b->len ? " " : "", term, idx, (int)len, tok);
    return 0;
}

static void expect_query(const char *q, int nterms, const char *want)
{
    ms_buf b;
    ms_buf_init(&b);
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(tg_query_terms(q, strlen(q), collect_terms, &b, &e), nterms);
    assert_string_equal(b.data, want);
    ms_buf_free(&b);
}

static void expect_query_error(const char *q, const char *type)
{
    ms_error e;
    ms_error_clear(&e);
    ms_buf b;
    ms_buf_init(&b);
    assert_int_equal(tg_query_terms(q, strlen(q), collect_terms, &b, &e), MS_EINVAL);
    assert_string_equal(e.type, type);
    assert_true(e.detail[0] != 0);
    ms_buf_free(&b);
}

static void test_query_terms(void **state)
{
    (void)state;
    expect_query("Zhang Wei", 2, "0.0:zha 0.1:han 0.2:ang 1.0:wei");
    expect_query("张伟", 1, "0.0:张伟");
    expect_query("王小明", 1, "0.0:王小明");
    expect_query("伟", 1, "0.0:伟");
    expect_query("ＺＨ", 1, "0.0:zh");
    expect_query("Zoë", 1, "0.0:zoe");
    expect_query_error("a", "query-word-too-short");
    expect_query_error("zhang w", "query-word-too-short");
    expect_query_error("", "query-empty");
    expect_query_error(" ,; ", "query-empty");
}

/* ---- The same through the engine's text index. ---- */

typedef struct hits {
    int64_t ids[16];
    int n;
} hits;

static int add_hit(void *ctx, int64_t rowid)
{
    hits *h = ctx;
    if (h->n < 16) h->ids[h->n++] = rowid;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The rows `q` finds, as "1,3". */
static void expect_found(db_conn *c, const char *q, const char *want)
{
    hits h = {.n = 0};
    ms_error e;
    ms_error_clear(&e);
    int rc = db_text_search(c, "t_fts", q, add_hit, &h, &e);
    if (rc) fail_msg("%s: %s", q, e.detail);
    qsort(h.ids, (size_t)h.n, sizeof h.ids[0], cmp_i64);
    char got[128] = "";
    for (int i = 0; i < h.n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "",
                 (long long)h.ids[i]);
    if (strcmp(got, want)) fail_msg("query \"%s\": found [%s], want [%s]", q, got, want);
}

static void test_index(void **state)
{
    (void)state;
    char *dir = unit_tmpdir(), url[512];
    assert_int_equal(unit_db_url(dir, url, sizeof url), 0);
    db *d;
    ms_error e;
    ms_error_clear(&e);
    assert_int_equal(db_open(url, 1, &d, &e), 0);
    db_conn *c = db_acquire(d);
    bool pg = !strcmp(db_conn_engine(c), "postgres");
    assert_int_equal(
        db_exec_script(c,
                       pg ? "CREATE TABLE t_fts (rowid BIGINT PRIMARY KEY, doc tsvector NOT NULL); "
                            "CREATE INDEX t_fts_doc ON t_fts USING gin (doc)"
                          : "CREATE VIRTUAL TABLE t_fts USING fts5(doc, content='', "
                            "columnsize=0, tokenize='ascii')",
                       &e),
        0);
    const char *docs[] = {
        NULL,
        "张伟 Zhang Wei sound recordist", /* 1 */
        "王小明 Wang Xiaoming editor",    /* 2 */
        "欧阳娜娜 Ouyang Nana composer",  /* 3 */
        "Zoë Dubois colouriste Paris",    /* 4 */
        "Ｊｏｈｎ Ｓｍｉｔｈ  director",  /* 5 */
        "Anna Ngwe",                      /* 6: "an" + "ngwe": no "angwe" */
        "张三 伟明",                      /* 7: 张 and 伟 in two words */
    };
    assert_int_equal(db_begin(c, DB_TX_WRITE, &e), 0);
    for (int i = 1; i < 8; i++)
        assert_int_equal(db_text_put(c, "t_fts", i, NULL, docs[i], &e), 0);
    bool marked;
    assert_int_equal(db_text_marker(c, "t_fts", &marked, &e), 0);
    assert_false(marked);
    assert_int_equal(db_text_mark(c, "t_fts", &e), 0);
    assert_int_equal(db_text_marker(c, "t_fts", &marked, &e), 0);
    assert_true(marked);
    assert_int_equal(db_commit(c, &e), 0);

    expect_found(c, "张伟", "1");
    expect_found(c, "伟", "1,7");
    expect_found(c, "小明", "2");
    expect_found(c, "王小明", "2");
    expect_found(c, "欧阳娜", "3");
    expect_found(c, "阳娜", "3");
    expect_found(c, "zhang wei", "1");
    expect_found(c, "ZHANG", "1");
    expect_found(c, "han", "1");
    expect_found(c, "wei", "1");
    expect_found(c, "zhangwei", ""); /* not across two words */
    expect_found(c, "张三伟", "");   /* nor in Chinese */
    expect_found(c, "angwe", "");    /* "Anna Ngwe" */
    expect_found(c, "ngwe", "6");
    expect_found(c, "zoe", "4");
    expect_found(c, "Zoë dub", "4");
    expect_found(c, "colourist", "4");
    expect_found(c, "ｊｏｈｎ", "5");
    expect_found(c, "john smith", "5");
    expect_found(c, "smith wei", "");
    expect_found(c, "ng", "1,2,3,6");

    /* Replace and remove: the old text is needed (contentless on SQLite). */
    assert_int_equal(db_begin(c, DB_TX_WRITE, &e), 0);
    assert_int_equal(db_text_put(c, "t_fts", 1, docs[1], "张伟明 Zhang Weiming", &e), 0);
    assert_int_equal(db_text_put(c, "t_fts", 7, docs[7], NULL, &e), 0);
    assert_int_equal(db_commit(c, &e), 0);
    expect_found(c, "伟", "1");
    expect_found(c, "weiming", "1");
    expect_found(c, "sound", "");

    /* Clear: the marker goes too. */
    assert_int_equal(db_begin(c, DB_TX_WRITE, &e), 0);
    assert_int_equal(db_text_clear(c, "t_fts", &e), 0);
    assert_int_equal(db_text_marker(c, "t_fts", &marked, &e), 0);
    assert_false(marked);
    assert_int_equal(db_commit(c, &e), 0);
    expect_found(c, "zoe", "");

    ms_error_clear(&e);
    hits h = {.n = 0};
    assert_int_equal(db_text_search(c, "t_fts", "x", add_hit, &h, &e), MS_EINVAL);
    assert_int_equal(db_text_search(c, "bad name", "xy", add_hit, &h, &e), MS_EINVAL);
    db_release(c);
    db_close(d);
    unit_rmdir(dir);
}

static void test_derived(void **state)
{
    (void)state;
    assert_true(db_text_derived("talent_fts"));
    assert_true(db_text_derived("talent_fts_data"));
    assert_true(db_text_derived("talent_fts_idx"));
    assert_true(db_text_derived("talent_fts_config"));
    assert_false(db_text_derived("talent_profile"));
    assert_false(db_text_derived("fts"));
    assert_false(db_text_derived("shifts"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),       cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_doc_tokens), cmocka_unit_test(test_query_terms),
        cmocka_unit_test(test_index),      cmocka_unit_test(test_derived),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
