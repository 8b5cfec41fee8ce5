// Search in every script and sort=title as people read, through each backend's store: the
// same table of scripts and queries must give the same hits and misses on SQLite and on
// PostgreSQL, and titles the same order, page after page. The rule itself is
// tasks/task_search.hpp; these tests check that both backends apply it to stored rows
// (the stored document, short terms, updates, deletes, other users' rows; rows written
// before the keys existed: keys_migration_storage_test.cpp).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "storage/migrations.hpp"
#include "storage_fixture.hpp"
#include "tasks/task_search.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

// Tasks in many scripts, by name; descriptions searched too.
const std::vector<std::pair<std::string, TaskFields>> kScriptTasks = {
    {"zh", {.title = "中文测试任务", .description = "检查搜索"}},
    {"ja", {.title = "日本語のテストを書く", .description = "かな カナ"}},
    {"th", {.title = "ทดสอบภาษาไทย"}},
    {"ko", {.title = "한국어 공부", .description = "매일"}},
    {"de", {.title = "Ärger im Büro", .description = "Straße sperren"}},
    {"fr", {.title = "ÉCOLE primaire", .description = "réunion des parents"}},
    {"el", {.title = "Σοφία", .description = "ΟΔΟΣ Αθηνάς"}},
    {"ru", {.title = "Ёлка на Новый год", .description = "купить игрушки"}},
    {"en", {.title = "Report bug", .description = "reported by a customer"}},
    {"pay", {.title = "Pay rent", .description = "for the flat"}},
    {"spa", {.title = "Spa day"}},
    {"fw", {.title = "ＦＵＬＬ width text"}},
};

struct SearchCase {
  const char* q;
  std::vector<const char*> hits;  // names of kScriptTasks, any order
};

const SearchCase kSearchCases[] = {
    {"测试", {"zh"}},  // the example: two characters inside a run of Han
    {"任务", {"zh"}},
    {"中文测试任务", {"zh"}},
    {"搜索", {"zh"}},  // description
    {"测验", {}},
    {"テスト", {"ja"}},
    {"本語", {"ja"}},
    {"カナ", {"ja"}},
    {"ภาษา", {"th"}},
    {"ไทย", {"th"}},
    {"공부", {"ko"}},
    {"부", {}},  // Hangul is spaced: a one-character term starts a word
    {"arger", {"de"}},
    {"ÄRGER", {"de"}},
    {"buro", {"de"}},
    {"strasse", {"de"}},
    {"ecole", {"fr"}},
    {"École", {"fr"}},
    {"reunion", {"fr"}},
    {"σοφια", {"el"}},
    {"ΣΟΦΊΑ", {"el"}},
    {"οδός", {"el"}},
    {"αθηνας", {"el"}},
    {"елка", {"ru"}},
    {"ЁЛКА", {"ru"}},
    {"игрушк", {"ru"}},
    {"port", {"en"}},  // 3+ characters: inside words too
    {"REPORT bug", {"en"}},
    {"report customer", {"en"}},
    {"pa", {"pay", "fr"}},       // 1-2 characters: at a word start ("Pay", "parents"), not "Spa"
    {"pa rent", {"pay", "fr"}},  // "rent" inside "parents"
    {"pay flat", {"pay"}},
    {"pay flat bug", {}},  // every term must match
    {"full", {"fw"}},
    {"zzz", {}},
    {"a", {"de", "en"}},  // "Ärger", "a customer"; Greek α and Cyrillic а are other letters
};

class SearchStorageTest : public StorageTest {
 protected:
  std::map<std::string, std::int64_t> insert_scripts(std::string_view user) {
    std::vector<TaskFields> fields;
    std::vector<Millis> created;
    for (std::size_t i = 0; i < kScriptTasks.size(); ++i) {
      fields.push_back(kScriptTasks[i].second);
      created.push_back(Millis(100 + i));
    }
    const auto ids = insert_all(user, fields, created);
    std::map<std::string, std::int64_t> by_name;
    for (std::size_t i = 0; i < ids.size(); ++i) by_name[kScriptTasks[i].first] = ids[i];
    return by_name;
  }

  std::vector<std::int64_t> search(std::string_view user, std::string_view q) {
    TaskQuery query;
    query.sort = SortField::created_at;
    query.ascending = true;
    query.search_terms = search_needles(q);
    return list_ids(user, query);
  }
};

std::vector<std::int64_t> ids_of(const std::map<std::string, std::int64_t>& by_name,
                                 const std::vector<const char*>& names) {
  std::vector<std::int64_t> ids;
  for (const char* n : names) ids.push_back(by_name.at(n));
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_P(SearchStorageTest, FindsWordsInEveryScript) {
  create_user("a");
  create_user("b");
  const auto ids = insert_scripts("a");
  insert_scripts("b");  // the same tasks of another user: never found for "a"
  for (const SearchCase& c : kSearchCases) {
    // The ids come back in created_at order, which is id order here.
    EXPECT_EQ(search("a", c.q), ids_of(ids, c.hits)) << "q=" << c.q;
  }
}

TEST_P(SearchStorageTest, TheIndexFollowsUpdatesAndDeletes) {
  create_user("a");
  const auto ids = insert_scripts("a");
  std::optional<Task> zh;
  ASSERT_TRUE(ok(read([&](Tx& tx) { zh = storage::tasks(tx).find(user_id("a"), ids.at("zh")); })));
  ASSERT_TRUE(zh);
  zh->title = "日本語の練習";
  zh->description = "";
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::tasks(tx).update(*zh); })));
  EXPECT_EQ(search("a", "测试"), std::vector<std::int64_t>{});
  EXPECT_EQ(search("a", "搜索"), std::vector<std::int64_t>{});
  EXPECT_EQ(search("a", "練習"), std::vector<std::int64_t>{ids.at("zh")});
  EXPECT_EQ(search("a", "日本語"), ids_of(ids, {"zh", "ja"}));
  // Completing changes no text: the task stays found.
  zh->completed = true;
  zh->completed_at = 5;
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::tasks(tx).update(*zh); })));
  EXPECT_EQ(search("a", "練習"), std::vector<std::int64_t>{ids.at("zh")});
  bool removed = false;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { removed = storage::tasks(tx).remove(user_id("a"), ids.at("ja")); })));
  ASSERT_TRUE(removed);
  EXPECT_EQ(search("a", "日本語"), std::vector<std::int64_t>{ids.at("zh")});
  EXPECT_EQ(search("a", "カナ"), std::vector<std::int64_t>{});
}

TEST_P(SearchStorageTest, SearchComposesWithFiltersAndPages) {
  create_user("a");
  std::vector<TaskFields> fields;
  std::vector<Millis> created;
  for (int i = 0; i < 7; ++i) {
    fields.push_back(
        {.title = "测试 " + std::to_string(i), .priority = i % 2 ? Priority::high : Priority::low});
    created.push_back(100 + i);
  }
  fields.push_back({.title = "other"});
  created.push_back(200);
  const auto ids = insert_all("a", fields, created);
  TaskQuery q;
  q.sort = SortField::created_at;
  q.ascending = true;
  q.limit = 2;
  q.search_terms = search_needles("测试");
  q.priority = Priority::high;
  std::vector<std::int64_t> walked;
  for (int pages = 0; pages < 10; ++pages) {
    TaskPage page = list("a", q);
    for (const auto& t : page.items) walked.push_back(t.id);
    if (!page.next) break;
    q.after = page.next;
  }
  EXPECT_EQ(walked, (std::vector<std::int64_t>{ids[1], ids[3], ids[5]}));
}

// Titles as people read them: case, accents and compatibility forms do not count; ties (the
// same folded title) go by id; other scripts after Latin, each in its alphabet's order.
// Inserted out of order; `want` is the ascending order by hand.
const std::vector<const char*> kTitlesInOrder = {
    "10 items", "Äpfel", "Apple", "apple", "ＡＰＰＬＥ", "banana", "Banana", "Ébène", "eclair",
    "Éclair",   "Zebra", "zebra", "Άλφα",  "Ωmega",      "ёж",     "Яблоко", "中文",  "日本",
};
// Insertion order: a permutation of kTitlesInOrder that keeps each tie group's order (ids
// break ties).
const std::vector<int> kInsertOrder = {10, 0,  16, 2,  5, 12, 7, 3,  17,
                                       8,  14, 1,  11, 4, 6,  9, 13, 15};

TEST_P(SearchStorageTest, TitlesSortAsPeopleReadAcrossPages) {
  create_user("a");
  create_user("b");
  std::map<std::string, std::int64_t> id_of;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    id_of.clear();
    for (int index : kInsertOrder) {
      const std::string title = kTitlesInOrder[index];
      id_of[title] = storage::tasks(tx).insert(user_id("a"), {.title = title}, 100 + index).id;
      storage::tasks(tx).insert(user_id("b"), {.title = title}, 100);  // never listed for "a"
    }
  })));
  std::vector<std::string> asc(kTitlesInOrder.begin(), kTitlesInOrder.end());
  std::vector<std::string> desc(asc.rbegin(), asc.rend());
  for (bool ascending : {true, false}) {
    for (int limit : {2, 5, 100}) {
      SCOPED_TRACE(std::string(ascending ? "asc" : "desc") + " limit " + std::to_string(limit));
      TaskQuery q;
      q.sort = SortField::title;
      q.ascending = ascending;
      q.limit = limit;
      std::vector<std::string> titles;
      for (int pages = 0; pages < 30; ++pages) {
        TaskPage page = list("a", q);
        for (const auto& t : page.items) titles.push_back(t.title);
        if (!page.next) break;
        // The cursor carries the folded key the ORDER BY uses.
        EXPECT_EQ(std::get<std::string>(page.next->key), title_sort_key(page.items.back().title));
        q.after = page.next;
      }
      EXPECT_EQ(titles, ascending ? asc : desc);
    }
  }
  // A cursor holds the folded key: any spelling of a title continues at the same place
  // (tasks/cursor.cpp folds the key of cursors issued before keys were folded).
  TaskQuery q;
  q.sort = SortField::title;
  q.ascending = true;
  q.after = Cursor{SortField::title, true, title_sort_key("ZEBRA"), id_of.at("Zebra")};
  std::vector<std::string> titles;
  for (const auto& t : list("a", q).items) titles.push_back(t.title);
  EXPECT_EQ(titles, std::vector<std::string>(asc.begin() + 11, asc.end()));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SearchStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, SearchStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage
