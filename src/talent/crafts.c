/* crafts.c: the crafts a profile, a credit or a project's need names - a built-in list in
 * English and Chinese, and the ones an instance's administrator adds (talent_craft). Codes
 * are stable; labels are for people. Not a taxonomy of roles: a credit keeps the role as it
 * was credited and names a craft only when one fits. */
#include "talent/talent_internal.h"

#include <string.h>

static const struct {
    const char *code, *en, *zh;
} builtin[] = {
    {"director", "Director", "导演"},
    {"assistant-director", "Assistant director", "副导演"},
    {"screenwriter", "Screenwriter", "编剧"},
    {"producer", "Producer", "制片人"},
    {"line-producer", "Line producer", "执行制片"},
    {"dp", "Director of photography", "摄影指导"},
    {"camera-operator", "Camera operator", "摄影师"},
    {"gaffer", "Gaffer", "灯光师"},
    {"production-designer", "Production designer", "美术指导"},
    {"costume", "Costume designer", "服装设计"},
    {"makeup", "Makeup artist", "化妆师"},
    {"editor", "Editor", "剪辑师"},
    {"colourist", "Colourist", "调色师"},
    {"vfx", "VFX artist", "视效师"},
    {"animator", "Animator", "动画师"},
    {"sound", "Sound recordist", "录音师"},
    {"sound-designer", "Sound designer", "声音设计"},
    {"composer", "Composer", "作曲"},
    {"actor", "Actor", "演员"},
    {"voice-actor", "Voice actor", "配音演员"},
    {"translator", "Translator / subtitler", "翻译 / 字幕"},
    {"script-supervisor", "Script supervisor", "场记"},
    {"casting", "Casting director", "选角导演"},
    {"stunts", "Stunt performer", "特技演员"},
    {"choreographer", "Choreographer", "编舞"},
    {"stills", "Stills photographer", "剧照摄影"},
    {"drone", "Drone operator", "航拍"},
};
#define NBUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

bool talent_craft_builtin(const char *code, const char **en, const char **zh)
{
    for (int i = 0; code && i < NBUILTIN; i++)
        if (!strcmp(builtin[i].code, code)) {
            if (en) *en = builtin[i].en;
            if (zh) *zh = builtin[i].zh;
            return true;
        }
    return false;
}

int talent_craft_lookup(db_conn *c, const char *code, char *en, size_t encap, char *zh,
                        size_t zhcap, ms_error *err)
{
    const char *ben, *bzh;
    if (talent_craft_builtin(code, &ben, &bzh)) {
        if (en) ms_strlcpy(en, ben, encap);
        if (zh) ms_strlcpy(zh, bzh, zhcap);
        return 0;
    }
    if (!code || !ms_slug_valid(code, 40)) return MS_ENOTFOUND;
    db_stmt *st;
    int rc = db_query_row(c, &st, err, "SELECT label_en, label_zh FROM talent_craft WHERE code = ?",
                          "s", code);
    if (rc < 0) return rc;
    if (rc == DB_DONE) return MS_ENOTFOUND;
    if (en) ms_strlcpy(en, db_col_text(st, 0), encap);
    if (zh) ms_strlcpy(zh, db_col_text(st, 1), zhcap);
    db_done(st);
    return 0;
}

bool talent_craft_valid(ms_req *r, const char *code)
{
    ms_error e;
    ms_error_clear(&e);
    return talent_craft_lookup(r->db, code, NULL, 0, NULL, 0, &e) == 0;
}

int h_talent_crafts(ms_req *r)
{
    json_t *items = json_array();
    for (int i = 0; i < NBUILTIN; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:b}", "code", builtin[i].code, "label",
                                        builtin[i].en, "label_zh", builtin[i].zh, "builtin", 1));
    db_stmt *st;
    int rc = db_query(r->db, &st, &r->err,
                      "SELECT code, label_en, label_zh FROM talent_craft ORDER BY code", "");
    if (rc) {
        json_decref(items);
        return rc;
    }
    while ((rc = db_step(st, &r->err)) == DB_ROW)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:b}", "code", db_col_text(st, 0),
                                               "label", db_col_text(st, 1), "label_zh",
                                               db_col_text(st, 2), "builtin", 0));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    return ms_reply(r, 200, json_pack("{s:o}", "items", items));
}

int h_talent_crafts_create(ms_req *r)
{
    static const ms_jfield fields[] = {
        {"code", MS_J_SLUG, true, false, 0, 40, NULL},
        {"label", MS_J_STRING, true, false, 1, 80, NULL},
        {"label_zh", MS_J_STRING, true, false, 1, 80, NULL},
        {NULL, 0, false, false, 0, 0, NULL},
    };
    if (ms_json_check(r->body, fields, &r->err)) return r->err.code;
    const char *code = ms_json_str(r->body, "code");
    if (talent_craft_valid(r, code))
        return ms_req_fail(r, MS_ECONFLICT, "talent-craft-exists", "The craft %s exists.", code);
    char now[MS_TIME_LEN];
    ms_now_str(now);
    int rc = db_exec(r->db, &r->err,
                     "INSERT INTO talent_craft (code, label_en, label_zh, created_by, created_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     "sssss", code, ms_json_str(r->body, "label"), ms_json_str(r->body, "label_zh"),
                     r->caller->user_id, now);
    if (rc < 0) return rc;
    ms_event ev = {.actor_id = r->caller->user_id,
                   .action = "talent.craft.created",
                   .object_type = "talent_craft",
                   .object_id = code};
    if ((rc = event_appendf(r->db, &ev, &r->err, "craft %s added", code))) return rc;
    return ms_reply(r, 201,
                    json_pack("{s:s,s:s,s:s,s:b}", "code", code, "label",
                              ms_json_str(r->body, "label"), "label_zh",
                              ms_json_str(r->body, "label_zh"), "builtin", 0));
}
