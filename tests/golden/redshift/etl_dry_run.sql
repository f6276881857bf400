-- sparkify etl --dry-run: nothing is loaded or changed
-- the cluster reads S3 itself (COPY); steps, in one transaction, for redshift:
begin;

-- drop_tables
drop table if exists fact_songplay;
drop table if exists dim_user;
drop table if exists dim_song;
drop table if exists dim_artist;
drop table if exists dim_time;
drop table if exists staging_events;
drop table if exists staging_songs;
drop table if exists load_errors;

-- create_staging
create table staging_events (
    artist          varchar(65535),
    auth            varchar(65535),
    first_name      varchar(65535),
    gender          varchar(65535),
    item_in_session bigint,
    last_name       varchar(65535),
    length          double precision,
    level           varchar(65535),
    location        varchar(65535),
    method          varchar(65535),
    page            varchar(65535),
    registration    double precision,
    session_id      bigint,
    song            varchar(65535),
    status          bigint,
    ts              bigint,
    user_agent      varchar(65535),
    user_id         varchar(65535)
)
diststyle even;
create table staging_songs (
    num_songs        bigint,
    artist_id        varchar(65535),
    artist_latitude  double precision,
    artist_longitude double precision,
    artist_location  varchar(65535),
    artist_name      varchar(65535),
    song_id          varchar(65535),
    title            varchar(65535),
    duration         double precision,
    year             bigint
)
diststyle even;

-- create_star
create table dim_user (
    user_id    varchar(65535) primary key,
    first_name varchar(65535),
    last_name  varchar(65535),
    gender     varchar(65535),
    level      varchar(65535)
)
diststyle all sortkey(user_id);
create table dim_artist (
    artist_id varchar(65535) primary key,
    name      varchar(65535),
    location  varchar(65535),
    latitude  double precision,
    longitude double precision
)
diststyle all;
create table dim_song (
    song_id   varchar(65535) primary key,
    title     varchar(65535),
    artist_id varchar(65535) references dim_artist (artist_id),
    year      bigint,
    duration  double precision
)
diststyle all;
create table dim_time (
    start_time timestamp primary key,
    hour       bigint not null,
    day        bigint not null,
    week       bigint not null,
    month      bigint not null,
    year       bigint not null,
    weekday    bigint not null
)
distkey(start_time) sortkey(start_time);
create table fact_songplay (
    songplay_id bigint primary key,
    start_time  timestamp not null references dim_time (start_time),
    user_id     varchar(65535) references dim_user (user_id),
    level       varchar(65535),
    song_id     varchar(65535) references dim_song (song_id),
    artist_id   varchar(65535) references dim_artist (artist_id),
    session_id  bigint,
    location    varchar(65535),
    user_agent  varchar(65535)
)
distkey(start_time) sortkey(start_time);

-- create_load_errors
create table load_errors (
    table_name  varchar(65535) not null,
    file        varchar(65535) not null,
    line        bigint not null,
    byte_offset bigint not null,
    reason      varchar(65535) not null,
    excerpt     varchar(65535)
)
diststyle even;

-- copy_staging_songs
copy staging_songs
from 's3://udacity-dend/song_data'
iam_role 'arn:aws:iam::123456789012:role/dwhRole'
format as json 'auto'
region 'us-west-2'
compupdate off statupdate off
maxerror 10;

-- insert_copy_errors staging_songs
insert into load_errors (table_name, file, line, byte_offset, reason, excerpt)
select
    'staging_songs',
    trim(file_name),
    line_number,
    -1,
    trim(error_message),
    trim(column_name) || ': ' || trim(column_type)
from sys_load_error_detail
where query_id = pg_last_copy_id()
order by trim(file_name), line_number;

-- copy_staging_events
copy staging_events (
    artist, auth, first_name, gender, item_in_session, last_name, length, level, location,
    method, page, registration, session_id, song, status, ts, user_agent, user_id
)
from 's3://udacity-dend/log_data'
iam_role 'arn:aws:iam::123456789012:role/dwhRole'
format as json 's3://udacity-dend/log_json_path.json'
region 'us-west-2'
timeformat 'epochmillisecs'
compupdate off statupdate off
maxerror 10;

-- insert_copy_errors staging_events
insert into load_errors (table_name, file, line, byte_offset, reason, excerpt)
select
    'staging_events',
    trim(file_name),
    line_number,
    -1,
    trim(error_message),
    trim(column_name) || ': ' || trim(column_type)
from sys_load_error_detail
where query_id = pg_last_copy_id()
order by trim(file_name), line_number;

-- insert_dim_artist
insert into dim_artist (artist_id, name, location, latitude, longitude)
with ranked as (
    select
        artist_id,
        artist_name,
        artist_location,
        artist_latitude,
        artist_longitude,
        row_number() over (
            partition by artist_id
            order by song_id nulls last, artist_name nulls last, artist_location nulls last,
                     artist_latitude nulls last, artist_longitude nulls last
        ) as pick
    from staging_songs
)
select artist_id, artist_name, artist_location, artist_latitude, artist_longitude
from ranked
where pick = 1;

-- insert_dim_song
insert into dim_song (song_id, title, artist_id, year, duration)
with ranked as (
    select
        song_id,
        title,
        artist_id,
        year,
        duration,
        row_number() over (
            partition by song_id
            order by artist_id nulls last, title nulls last, year nulls last, duration nulls last
        ) as pick
    from staging_songs
)
select song_id, title, artist_id, year, duration
from ranked
where pick = 1;

-- insert_dim_user
insert into dim_user (user_id, first_name, last_name, gender, level)
with ranked as (
    select
        user_id,
        first_name,
        last_name,
        gender,
        level,
        row_number() over (
            partition by user_id
            order by ts desc, session_id desc nulls last, item_in_session desc nulls last,
                     level desc nulls last, first_name nulls last, last_name nulls last,
                     gender nulls last
        ) as pick
    from staging_events
    where user_id is not null and user_id <> ''
)
select user_id, first_name, last_name, gender, level
from ranked
where pick = 1;

-- insert_dim_time
insert into dim_time (start_time, hour, day, week, month, year, weekday)
with plays as (
    select distinct (timestamp 'epoch' + ts * interval '0.001 second') as start_time
    from staging_events
    where page = 'NextSong'
)
select
    start_time,
    cast(extract(hour from start_time) as bigint),
    cast(extract(day from start_time) as bigint),
    cast(extract(week from start_time) as bigint),
    cast(extract(month from start_time) as bigint),
    cast(extract(year from start_time) as bigint),
    cast(extract(dow from start_time) as bigint)
from plays;

-- insert_fact_songplay
insert into fact_songplay (
    songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
)
with plays as (
    select
        ts,
        item_in_session,
        (timestamp 'epoch' + ts * interval '0.001 second') as start_time,
        nullif(user_id, '') as user_id,
        level,
        song,
        artist,
        length,
        session_id,
        location,
        user_agent
    from staging_events
    where page = 'NextSong'
),
songs as (
    select
        title,
        artist_name,
        duration,
        song_id,
        artist_id,
        row_number() over (
            partition by title, artist_name, duration
            order by song_id nulls last, artist_id nulls last
        ) as pick
    from staging_songs
),
matched as (
    select
        p.*,
        s.song_id,
        s.artist_id
    from plays as p
    left join songs as s
        on s.title = p.song
        and s.artist_name = p.artist
        and s.duration = p.length
        and s.pick = 1
)
select
    row_number() over (
        order by ts, session_id nulls last, item_in_session nulls last, user_id nulls last,
                 song nulls last, artist nulls last, length nulls last, level nulls last,
                 location nulls last, user_agent nulls last
    ) as songplay_id,
    start_time,
    user_id,
    level,
    song_id,
    artist_id,
    session_id,
    location,
    user_agent
from matched;

commit;
