from aftersales.customers.search_text import customer_search_text, document_tokens, query_tokens


def test_chinese_names_give_characters_and_bigrams():
    tokens = document_tokens("张伟明").split()
    assert tokens == ["张", "伟", "明", "张伟", "伟明"]
    assert query_tokens("张伟") == ["张伟"]
    assert query_tokens("伟明 张") == ["伟明", "张"]


def test_russian_words_are_lowercased_and_yo_is_e():
    tokens = document_tokens("Пётр Фёдоров").split()
    assert tokens == ["петр", "федоров"]
    assert query_tokens("ФЁДОРОВ") == ["федоров"]


def test_latin_words_and_punctuation():
    assert document_tokens("ACME Co., Ltd.").split() == ["acme", "co", "ltd"]
    assert query_tokens("acme' OR 1=1 --") == ["acme", "or", "1"]  # no syntax survives


def test_query_tokens_keep_only_letters_and_digits():
    assert query_tokens('acme" OR *') == ["acme", "or"]
    assert query_tokens("") == []


def test_the_customer_column_holds_code_name_contacts_and_addresses():
    text = customer_search_text(
        "上海电气", "C00000001", ["李雷", "Ivan Petrov"], ["浦东新区 世纪大道 100号"]
    ).split()
    for token in ["c00000001", "上海", "电气", "李雷", "ivan", "petrov", "浦东", "世纪", "100号"]:
        assert token in text
