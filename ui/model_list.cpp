#include "ui/model_list.hpp"

#include "redub/log.hpp"
#include "ui/document.hpp"
#include "ui/recent_files.hpp"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>

#include <algorithm>

namespace redub::ui {
namespace {
constexpr const char* kKey = "models/imported";
}

QStringList ModelList::remembered() { return QSettings().value(kKey).toStringList(); }

void ModelList::fill(QComboBox* box, const QString& default_label, const QStringList& models,
                     const std::filesystem::path& current) {
    box->clear();
    box->addItem(default_label, QString());
    for (const QString& m : models) box->addItem(QFileInfo(m).fileName(), m);
    const QString cur = QString::fromStdString(current.string());
    if (!cur.isEmpty() && box->findData(cur) < 0) box->addItem(QFileInfo(cur).fileName(), cur);
    box->setCurrentIndex(std::max(0, box->findData(cur)));
}

void ModelList::remember(const QString& model) {
    QSettings s;
    QStringList models = s.value(kKey).toStringList();
    models.removeAll(model);
    models.prepend(model);
    s.setValue(kKey, models);
}

void ModelList::use(const QString& model) {
    remember(model);
    doc_->requestModel(model.toStdString());
}

QString ModelList::importDiff2Lip(QWidget* parent) {
    if (!confirmDiff2LipLicence(parent)) return {};
    const QString f = QFileDialog::getOpenFileName(parent, QObject::tr("Import a Diff2Lip checkpoint"),
                                                   RecentFiles::lastFolder(),
                                                   QObject::tr("Checkpoints (*.pt *.pth *.safetensors);;All files (*)"));
    if (f.isEmpty()) return {};
    if (!QFileInfo(f).isReadable() || QFileInfo(f).size() < 1024)
        return QObject::tr("%1: not a readable model file").arg(f);
    use(f);
    log::ui()->info("model: {} (Diff2Lip weights, CC-BY-NC-4.0: non-commercial use only)", f.toStdString());
    return {};
}

bool confirmDiff2LipLicence(QWidget* parent) {
    QMessageBox box(parent);
    box.setWindowTitle(QObject::tr("Diff2Lip checkpoint licence"));
    box.setIcon(QMessageBox::Information);
    box.setText(QObject::tr("<b>The Diff2Lip weights are licensed CC-BY-NC-4.0: non-commercial use only.</b>"));
    box.setInformativeText(
        QObject::tr("Diff2Lip (Mukhopadhyay et al., 2024) publishes its checkpoint under the Creative Commons "
                    "Attribution-NonCommercial 4.0 International licence. You may use videos made with it for "
                    "non-commercial purposes only, and must credit the authors. Redub's own code and bundled model "
                    "are not affected.<br><br>Full text: https://creativecommons.org/licenses/by-nc/4.0/"));
    box.setStandardButtons(QMessageBox::Cancel);
    auto* accept = box.addButton(QObject::tr("I understand, import"), QMessageBox::AcceptRole);
    box.exec();
    return box.clickedButton() == accept;
}

}  // namespace redub::ui
