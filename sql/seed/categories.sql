-- Activity categories named in docs/architecture.md (the book-house programme and 四会一课); editable later.
INSERT INTO activity_category (code, name, is_active, sort_order) VALUES
    ('reading_salon',        '读书分享会',       true, 10),
    ('party_micro_lecture',  '党建微课堂',       true, 20),
    ('parent_child_reading', '亲子阅读会',       true, 30),
    ('family_education',     '家庭教育讲座',     true, 40),
    ('youth_startup',        '青年创业说',       true, 50),
    ('neighbourhood_festival','社区邻里节',      true, 60),
    ('red_film',             '红色电影大家看',   true, 70),
    ('onsite_talk',          '现场恳谈会',       true, 80),
    ('square_story',         '广场故事会',       true, 90),
    ('campus_forum',         '校园思享会',       true, 100),
    ('public_reading',       '大众读书会',       true, 110),
    ('music_party_history',  '音乐党史课',       true, 120)
ON CONFLICT (code) DO NOTHING
