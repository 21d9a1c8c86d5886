"""The classifier's text model: trained deterministically on the project's own texts, shipped
as trained, and right on wording the problem lexicon does not know."""

import json

from command.intake import problems, similarity, text_model, training


def test_training_is_deterministic_and_the_shipped_files_are_what_it_makes():
    rows = training.make_texts()
    assert rows == training.make_texts()
    shipped = [json.loads(line) for line in training.TEXTS.read_text("utf-8").splitlines()]
    assert shipped == rows
    model = training.train(rows)
    assert model == training.train(rows)
    assert json.loads(text_model.MODEL.read_text("utf-8")) == model


def test_the_training_texts_come_from_the_project_not_the_evaluation_set():
    eval_texts = {
        json.loads(line)["text"]
        for line in (training.DATA.parents[2] / "bench" / "data" / "merge_eval.jsonl")
        .read_text("utf-8")
        .splitlines()
    }
    assert eval_texts.isdisjoint(row["text"] for row in training.make_texts())


def guess(text: str) -> text_model.Guess | None:
    return text_model.guess(similarity.normalise(text))


def test_it_guesses_the_category_of_wording_outside_the_lexicon():
    cold = "屋里跟冰窖似的，热力公司电话打不通"
    assert problems.find(similarity.normalise(cold)) == problems.NOTHING
    assert guess(cold).code == "heating"
    assert guess(cold).probability > 0.9
    assert guess("路口那个摊煎饼的三轮车一直占着人行道").code == "street_vending"


def test_it_knows_nothing_of_a_text_without_known_features():
    assert guess("") is None
    assert guess("ZZZ") is None
