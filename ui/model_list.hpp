// The models the editor offers: the bundled default and the checkpoints imported or
// learned before, remembered in QSettings ("models/imported", the latest first); and
// the import of a Diff2Lip checkpoint (licence first).
#pragma once

#include <QStringList>

#include <filesystem>

class QComboBox;
class QWidget;

namespace redub::ui {

class Document;

class ModelList {
public:
    explicit ModelList(Document* doc) : doc_(doc) {}

    // The remembered models, the latest first.
    static QStringList remembered();
    // Fills a model box: `default_label` for the bundled default (data ""), then `models`,
    // then `current` when it is none of them; `current` is selected.
    static void fill(QComboBox* box, const QString& default_label, const QStringList& models,
                     const std::filesystem::path& current);

    // Makes `model` the project's model (undoable) and puts it first in the list.
    void use(const QString& model);
    // Puts `model` first in the list without choosing it.
    static void remember(const QString& model);
    // "Import Diff2Lip Checkpoint": shows the licence, asks for the file and uses it.
    // Returns why the file cannot be used ("" when it was imported or the user cancelled).
    QString importDiff2Lip(QWidget* parent);

private:
    Document* doc_;
};

// Shows the Diff2Lip licence (CC-BY-NC-4.0) and asks the user to accept it.
bool confirmDiff2LipLicence(QWidget* parent);

}  // namespace redub::ui
