// Hides the questions that no longer apply as answers change, as `ftrec ask` skips them.
// Each question's data-when holds its condition: {"is": id, "values": [...]}, {"not_zero": id},
// {"any_given": [id, ...]}, {"fine_tuning": true} (decided by the rules on the server: treated as true
// here) or {"all": [...]}.
// The server checks every answer again and requires only the questions that apply.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) { return; }

  function answer(id) {
    var fields = form.elements[id];
    if (!fields) { return ""; }
    if (fields.length !== undefined && fields.tagName !== "SELECT") {
      for (var i = 0; i < fields.length; i++) { if (fields[i].checked) { return fields[i].value; } }
      return "";
    }
    return fields.value;
  }

  function holds(condition) {
    if (condition.all) { return condition.all.every(holds); }
    if (condition.is) {
      return applies(condition.is) && condition.values.indexOf(answer(condition.is)) >= 0;
    }
    if (condition.any_given) {
      return condition.any_given.some(function (id) {
        var value = answer(id).trim();
        return applies(id) && value !== "" && value !== "0";
      });
    }
    if (condition.not_zero) {
      var value = answer(condition.not_zero).trim();
      return applies(condition.not_zero) && value !== "" && value !== "0";
    }
    return true;  // fine_tuning: the rules decide that on the server
  }

  function applies(id) {
    var box = form.querySelector('[data-question="' + id + '"]');
    return !box || !box.hidden;
  }

  function update() {
    var boxes = form.querySelectorAll("[data-when]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].hidden = !holds(JSON.parse(boxes[i].getAttribute("data-when")));
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
