from django.urls import reverse

from aftersales.accounts.tests.factories import make_user


def test_the_language_switch_remembers_the_choice_for_the_user(client, network):
    user = make_user("dispatcher", network.outlet_a, preferred_language="en")
    client.force_login(user)
    assert "Sign out" in client.get("/").content.decode()
    response = client.post(reverse("core:set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert "Выйти" in client.get("/").content.decode()


def test_each_language_renders_the_shell(client, network):
    user = make_user("administrator", network.outlet_a)
    client.force_login(user)
    expected = {"zh-hans": "退出登录", "zh-hant": "登出", "ru": "Выйти", "en": "Sign out"}
    for language, sign_out in expected.items():
        type(user).objects.filter(pk=user.pk).update(preferred_language=language)
        page = client.get("/").content.decode()
        assert f'lang="{language}"' in page and sign_out in page, language


def test_the_switch_refuses_foreign_redirects(client, network):
    response = client.post(
        reverse("core:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_anonymous_visitors_get_their_browser_language(client, db):
    page = client.get(reverse("accounts:login"), headers={"accept-language": "ru"}).content.decode()
    assert "Войти" in page


def test_times_are_shown_in_the_users_unit_time_zone(client, network):
    from aftersales.organisation.services import unit_update

    unit_update(unit=network.outlet_b, timezone="Asia/Novosibirsk")
    engineer = make_user("field_engineer", network.outlet_b, preferred_language="en")
    client.force_login(engineer)
    assert 'data-timezone="Asia/Novosibirsk"' in client.get("/").content.decode()
