"""The 110 and 12319 feeds (联动对接): other systems' records in, our states back out.

Wire protocol, the same in both directions (their pushes to us, our status-backs and transfers
to them, and our polls of a system that only offers a list API):

    POST <url>
    Content-Type: application/json; charset=utf-8
    X-CityDesk-System:    <FeedSystem.code>, e.g. "hrb-110"
    X-CityDesk-Timestamp: <unix seconds, UTC>
    X-CityDesk-Nonce:     <16-64 characters [A-Za-z0-9_-], unique per request>
    X-CityDesk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<nonce>." + raw body)>

A request is refused with 401 when a header is missing or the signature is wrong, with 403 when
the system is unknown, inactive or of another kind than the URL's, and with 401 when the
timestamp is more than REPLAY_WINDOW_S away from our clock or the nonce was seen before
(`signing`). The secret is the system's own (FeedSystem.secret): each system has its own.

Formats, modelled on what such systems send (field names as they are, not ours):

110 (公安110接处警平台), `POST /integrations/feeds/110/`:

    {"records": [{
        "jjdbh": "HRB110202612050001",      # 接警单号, the record's id
        "bjsj": "2026-12-05 08:31:12",      # 报警时间, Asia/Shanghai, no zone
        "bjrdh": "13812341234",             # 报警人电话
        "bjrxm": "",                         # 报警人姓名 (often empty)
        "sfdz": "道里区中央大街与西十二道街交口", # 事发地址
        "zbx": 126.6166, "zby": 45.7732,     # 坐标 (longitude x, latitude y)
        "zbxt": "gcj02",                     # 坐标系: gcj02 (default), bd09 or wgs84
        "jqlb": "治安类", "jqlx": "噪声扰民",   # 警情类别 and 警情类型 (police incident type)
        "bjnr": "楼上KTV深夜噪声扰民",          # 报警内容
        "fkzt": ""                            # 反馈状态, only on 110's answer to a transfer
    }]}

12319 (数字化城市管理, 数字城管), `POST /integrations/feeds/12319/`:

    {"cases": [{
        "ajbh": "230102-2026-000123",        # 案件编号
        "slsj": "2026-12-05T08:31:12+08:00",  # 受理时间, ISO 8601
        "ajlx": "部件",                       # 案件类型: 部件 or 事件
        "dl": "公用设施", "xl": "井盖",        # 大类, 小类 by the urban-management standard
        "dlbm": "01", "xlbm": "0103",         # their codes (GB/T 30428 style)
        "wgbm": "230102001001",               # 单元网格编码 (grid cell), when no coordinates
        "x": 126.6166, "y": 45.7732,          # GCJ-02 unless "zbxt" says otherwise
        "wtms": "井盖缺失，行人易跌落",          # 问题描述
        "wz": "道里区经纬街12号门前",            # 位置描述
        "zp": ["https://12319.example/p/1.jpg"],# 照片 (photo URLs, kept, never fetched)
        "sbr_dh": ""                          # 上报人电话 (a citizen's, when they called)
    }]}

A batch of up to 500 records answers 200 with one result per record, in order:
{"results": [{"index": 0, "id": "<their id>", "ok": true, "tracking_no": "...",
"merged": false}, {"index": 1, "id": "...", "ok": false, "error": "<reason>",
"dead_letter": <id>}]}. A record sent again (same id) is answered with its first tracking
number and taken once; sent again with other content it is refused (the reason names the
fields). Other answers, all JSON {"error": "<reason>"}: 400 when the body is not JSON or not
{"records"|"cases": [...]} or holds more than 500 records, 413 over 1 MB, 503 when the database
does not answer (send the batch again, with a new nonce).

How a record is read (`police110`, `urban12319`): the id is required; a time without a zone is
Asia/Shanghai (also 14 digits, 20261205083112); x/y may be numbers or numeric text, 0/0 or
none means "not located"; zbxt accepts gcj02, bd09, wgs84 in any case, with or without "-"
(empty: the source's default, GCJ-02); a 12319 case without a point but with a grid code
(wgbm) goes to the district its first 6 digits name. The category given to intake is
"jqlb/jqlx" (110) or "ajlx/dl/xl" (12319; "ajlx/xlbm" when only codes are sent), mapped by
command's CategoryAlias table (administrators edit it); an unknown one is read as text. A
record that cannot be taken is kept as a dead letter (`dead_letters`) to correct and replay.

Pull mode (`poller`), for a system whose FeedSystem.pull_url is set: we ask, every
pull_interval_s, signed as above over an empty body,

    GET <pull_url>?cursor=<the cursor we hold>&limit=200
    -> 200 {"records" | "cases": [...], "next_cursor": "<text, at most 128>"}

and take the records as a push's; the cursor moves only then. A failed poll leaves it.

Status back (联动反馈), our POST to FeedSystem.callback_url, signed the same way, for each state
change of an incident that holds one of the system's records (integrations.feeds.status_back):

    {"type": "status", "source_id": "<their record id>", "tracking_no": "HRB...",
     "status": "<our IncidentStatus value>", "status_name": "<中文>", "at": "<ISO 8601>",
     "seq": <outbox seq>, "note": "<optional>",
     "action": "<what changed it: dispatch, sign, resolve, close, reopen, merged_into,
                 transfer_to_police, police_answer, ...; report_merged: your record joined an
                 open incident, whose state this is>",
     "merged_into": "<tracking no>"}        # only when the incident was merged into another

`note` is a fixed phrase (已派单：<unit>, 已并入工单<no>, 110反馈：已受理, ...), never a person's
words: no phone number, name or free text of ours goes out. After a merge the record's later
states come under the kept incident's tracking number. A system hears of one incident in seq
order (a later state is not sent while an earlier one is undelivered); a state an administrator
re-sends after a later one went carries its lower seq, so keep the highest seq per record.
A 2xx answer is delivery; anything else is tried again (30 s, 1, 2, 4, 8 min), then given up
and shown to administrators (admin: feed deliveries), who may send it again.

Transfer to 110 (移交110), our POST to the 110 system's transfer_url, signed the same way:

    {"type": "transfer", "tracking_no": "...", "category": "...", "summary": "...",
     "address": "...", "lat": ..., "lon": ..., "reason": "...", "at": "<ISO 8601>",
     "seq": <outbox seq>}

Summary, address and reason are masked (phone and ID-card numbers); no reporter's phone or name.

110 answers a transfer later through its own feed, as a record whose "fkzt" (反馈状态) is set
and whose "yjdh" (移交单号) names our tracking number, optionally with "fknr" (反馈内容, free
text, masked before it is kept). `integrations.feeds.transfer.receive_answer(system, record)`
takes it; fkzt is one of 已受理, 已出警, 已处置 (a note on the incident's timeline; it stays
closed as transferred) or 不属于公安职责 (a note, and the incident back in the dispatch queue).
Its per-record result is the batch answer's without `index`: {"id": "<jjdbh>", "ok": true,
"tracking_no": "...", "answer": "<fkzt>"} (plus "duplicate": true for an answer recorded
before), or {"id": "...", "ok": false, "error": "<reason>"} for an unknown tracking number, an
incident never transferred, or an unknown fkzt.
"""
