-- A tiny star schema whose every analytics answer is worked out by hand in
-- tests/sql/named_queries_test.cpp. Loaded after create-tables, on any engine (portable SQL:
-- plain inserts, timestamp literals). Text is awkward on purpose: &, <, >, quotes and
-- non-ASCII letters, which the report must escape.
--
-- staging_events.event_seq gives the load order (1..13 as listed), which numbers the plays.
--
-- Plays (fact_songplay), all times UTC:
--   id start_time               user level song artist session location                 agent
--    1 2018-11-04 09:15:00.000  1    free  SO1  AR1    10      San Jose (CA)            Windows
--    2 2018-11-04 09:20:00.000  1    free  -    -      10      San Jose (CA)            Windows
--    3 2018-11-05 21:00:00.000  1    paid  SO1  AR1    11      San Jose (CA)            Windows
--    4 2018-11-05 21:04:00.500  1    paid  SO2  AR2    11      San Jose (CA)            Windows
--    5 2018-11-05 23:59:59.999  2    free  SO1  AR1    20      Tampa, FL                Mac
--    6 2018-11-07 00:00:00.001  2    free  -    -      21      Tampa, FL                iPhone
--    7 2018-11-07 00:00:00.001  3    paid  SO2  AR2    30      Reykjavík, IS            iPad
--    8 2018-11-07 13:30:00.000  3    paid  SO3  AR3    30      Reykjavík, IS            Android
--    9 2018-12-01 13:45:00.000  3    paid  -    -      31      NULL                     Linux
--   10 2018-12-01 18:00:00.000  -    free  -    -      40      Tampa, FL                NULL
--   11 2018-12-01 18:00:00.000  2    free  SO3  AR3    41      Tampa, FL                curl

insert into staging_songs (num_songs, artist_id, artist_latitude, artist_longitude,
                           artist_location, artist_name, song_id, title, duration, year)
values
    (1, 'AR1', 38.7, -9.1, 'Lisboa', 'Ana & the <Tags>', 'SO1', 'Rock & Roll <Live>', 200.0, 2001),
    (1, 'AR2', 64.1, -21.9, 'Reykjavík', 'Björk', 'SO2', 'Jóga', 305.0, 1997),
    (1, 'AR3', null, null, null, 'Quiet "Q"', 'SO3', 'Hush', 180.5, 2010),
    (1, 'AR1', 38.7, -9.1, 'Lisboa', 'Ana & the <Tags>', 'SO4', 'Never played', 99.0, 2005);

insert into staging_events (artist, auth, first_name, gender, item_in_session, last_name,
                            length, level, location, method, page, registration, session_id,
                            song, status, ts, user_agent, user_id, event_seq)
values
    ('Ana & the <Tags>', 'Logged In', 'Ada', 'F', 0, 'Lovelace', 200.0, 'free',
     'San Jose (CA)', 'PUT', 'NextSong', null, 10, 'Rock & Roll <Live>', 200, 1541322900000,
     'Mozilla/5.0 (Windows NT 6.1; WOW64)', '1', 1),
    ('Nobody', 'Logged In', 'Ada', 'F', 1, 'Lovelace', 1.0, 'free',
     'San Jose (CA)', 'PUT', 'NextSong', null, 10, 'Unknown', 200, 1541323200000,
     'Mozilla/5.0 (Windows NT 6.1; WOW64)', '1', 2),
    (null, 'Logged In', 'Ada', 'F', 2, 'Lovelace', null, 'free',
     'San Jose (CA)', 'GET', 'Home', null, 10, null, 200, 1541323300000,
     'Mozilla/5.0 (Windows NT 6.1; WOW64)', '1', 3),
    ('Ana & the <Tags>', 'Logged In', 'Ada', 'F', 0, 'Lovelace', 200.0, 'paid',
     'San Jose (CA)', 'PUT', 'NextSong', null, 11, 'Rock & Roll <Live>', 200, 1541451600000,
     'Mozilla/5.0 (Windows NT 6.1; WOW64)', '1', 4),
    ('Björk', 'Logged In', 'Ada', 'F', 1, 'Lovelace', 305.0, 'paid',
     'San Jose (CA)', 'PUT', 'NextSong', null, 11, 'Jóga', 200, 1541451840500,
     'Mozilla/5.0 (Windows NT 6.1; WOW64)', '1', 5),
    ('Ana & the <Tags>', 'Logged In', 'Bob', 'M', 0, 'Builder', 200.0, 'free',
     'Tampa, FL', 'PUT', 'NextSong', null, 20, 'Rock & Roll <Live>', 200, 1541462399999,
     'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4)', '2', 6),
    ('Nobody', 'Logged In', 'Bob', 'M', 0, 'Builder', 2.0, 'free',
     'Tampa, FL', 'PUT', 'NextSong', null, 21, 'Unknown', 200, 1541548800001,
     'Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X)', '2', 7),
    ('Björk', 'Logged In', 'Chloé', 'F', 0, 'Zhao', 305.0, 'paid',
     'Reykjavík, IS', 'PUT', 'NextSong', null, 30, 'Jóga', 200, 1541548800001,
     'Mozilla/5.0 (iPad; CPU OS 7_1_2 like Mac OS X)', '3', 8),
    ('Quiet "Q"', 'Logged In', 'Chloé', 'F', 1, 'Zhao', 180.5, 'paid',
     'Reykjavík, IS', 'PUT', 'NextSong', null, 30, 'Hush', 200, 1541597400000,
     'Mozilla/5.0 (Linux; Android 4.4.2)', '3', 9),
    ('Nobody', 'Logged In', 'Chloé', 'F', 0, 'Zhao', 3.0, 'paid',
     null, 'PUT', 'NextSong', null, 31, 'Unknown', 200, 1543671900000,
     'Mozilla/5.0 (X11; Linux x86_64)', '3', 10),
    ('Nobody', 'Logged Out', null, null, 0, null, 4.0, 'free',
     'Tampa, FL', 'PUT', 'NextSong', null, 40, 'Unknown', 200, 1543687200000,
     null, '', 11),
    ('Quiet "Q"', 'Logged In', 'Bob', 'M', 1, 'Builder', 180.5, 'free',
     'Tampa, FL', 'PUT', 'NextSong', null, 41, 'Hush', 200, 1543687200000,
     'curl/7.0', '2', 12),
    (null, 'Logged In', 'Dan', 'M', 0, null, null, 'free',
     'Tampa, FL', 'GET', 'Home', null, 50, null, 200, 1543687300000,
     'curl/7.0', '4', 13);

insert into dim_artist (artist_id, name, location, latitude, longitude)
values
    ('AR1', 'Ana & the <Tags>', 'Lisboa', 38.7, -9.1),
    ('AR2', 'Björk', 'Reykjavík', 64.1, -21.9),
    ('AR3', 'Quiet "Q"', null, null, null);

insert into dim_song (song_id, title, artist_id, year, duration)
values
    ('SO1', 'Rock & Roll <Live>', 'AR1', 2001, 200.0),
    ('SO2', 'Jóga', 'AR2', 1997, 305.0),
    ('SO3', 'Hush', 'AR3', 2010, 180.5),
    ('SO4', 'Never played', 'AR1', 2005, 99.0);

insert into dim_user (user_id, first_name, last_name, gender, level)
values
    ('1', 'Ada', 'Lovelace', 'F', 'paid'),
    ('2', 'Bob', 'Builder', 'M', 'free'),
    ('3', 'Chloé', 'Zhao', 'F', 'paid'),
    ('4', 'Dan', null, 'M', 'free');

-- ISO weeks: 2018-11-04 is a Sunday in week 44; 2018-11-05 starts week 45; 2018-12-01 is a
-- Saturday in week 48.
insert into dim_time (start_time, hour, day, week, month, year, weekday)
values
    (timestamp '2018-11-04 09:15:00.000', 9, 4, 44, 11, 2018, 0),
    (timestamp '2018-11-04 09:20:00.000', 9, 4, 44, 11, 2018, 0),
    (timestamp '2018-11-05 21:00:00.000', 21, 5, 45, 11, 2018, 1),
    (timestamp '2018-11-05 21:04:00.500', 21, 5, 45, 11, 2018, 1),
    (timestamp '2018-11-05 23:59:59.999', 23, 5, 45, 11, 2018, 1),
    (timestamp '2018-11-07 00:00:00.001', 0, 7, 45, 11, 2018, 3),
    (timestamp '2018-11-07 13:30:00.000', 13, 7, 45, 11, 2018, 3),
    (timestamp '2018-12-01 13:45:00.000', 13, 1, 48, 12, 2018, 6),
    (timestamp '2018-12-01 18:00:00.000', 18, 1, 48, 12, 2018, 6);

insert into fact_songplay (songplay_id, start_time, user_id, level, song_id, artist_id,
                           session_id, location, user_agent)
values
    (1, timestamp '2018-11-04 09:15:00.000', '1', 'free', 'SO1', 'AR1', 10, 'San Jose (CA)',
     'Mozilla/5.0 (Windows NT 6.1; WOW64)'),
    (2, timestamp '2018-11-04 09:20:00.000', '1', 'free', null, null, 10, 'San Jose (CA)',
     'Mozilla/5.0 (Windows NT 6.1; WOW64)'),
    (3, timestamp '2018-11-05 21:00:00.000', '1', 'paid', 'SO1', 'AR1', 11, 'San Jose (CA)',
     'Mozilla/5.0 (Windows NT 6.1; WOW64)'),
    (4, timestamp '2018-11-05 21:04:00.500', '1', 'paid', 'SO2', 'AR2', 11, 'San Jose (CA)',
     'Mozilla/5.0 (Windows NT 6.1; WOW64)'),
    (5, timestamp '2018-11-05 23:59:59.999', '2', 'free', 'SO1', 'AR1', 20, 'Tampa, FL',
     'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4)'),
    (6, timestamp '2018-11-07 00:00:00.001', '2', 'free', null, null, 21, 'Tampa, FL',
     'Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X)'),
    (7, timestamp '2018-11-07 00:00:00.001', '3', 'paid', 'SO2', 'AR2', 30, 'Reykjavík, IS',
     'Mozilla/5.0 (iPad; CPU OS 7_1_2 like Mac OS X)'),
    (8, timestamp '2018-11-07 13:30:00.000', '3', 'paid', 'SO3', 'AR3', 30, 'Reykjavík, IS',
     'Mozilla/5.0 (Linux; Android 4.4.2)'),
    (9, timestamp '2018-12-01 13:45:00.000', '3', 'paid', null, null, 31, null,
     'Mozilla/5.0 (X11; Linux x86_64)'),
    (10, timestamp '2018-12-01 18:00:00.000', null, 'free', null, null, 40, 'Tampa, FL', null),
    (11, timestamp '2018-12-01 18:00:00.000', '2', 'free', 'SO3', 'AR3', 41, 'Tampa, FL',
     'curl/7.0');

insert into load_errors (table_name, file, line, byte_offset, reason, excerpt)
values
    ('staging_events', 'log_data/2018/11/2018-11-05-events.json', 3, 1024,
     'malformed JSON: unclosed string', '{"artist":"<b>Bad & "'),
    ('staging_events', 'log_data/2018/11/2018-11-05-events.json', 9, 4096,
     'field "ts": expected a number, found a string', '{"ts":"yesterday"}'),
    ('staging_songs', 'song_data/A/B/C/TRABC.json', 1, 0,
     'malformed JSON: truncated or unbalanced', '{"song_id": "SOX"');
