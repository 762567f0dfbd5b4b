// The export dialog: output path, quality, speed preset, model, steps, device,
// seed. Reads its initial values from the project; accept() writes them back
// through Document's request functions (undoable).
#pragma once

#include "core/project/project.hpp"

#include <QDialog>

class QLineEdit;
class QComboBox;
class QSpinBox;
class QLabel;

namespace redub::ui {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const core::Project& project, const QStringList& models, QWidget* parent = nullptr);

    QString outputPath() const;
    core::ExportSettings exportSettings() const;
    QString modelPath() const;  // "" = bundled default
    int steps() const;
    uint64_t seed() const;
    QString device() const;

    void setOutputPath(const QString& p);
    // Why the last accept() was refused ("" when it was not).
    QString errorText() const;

    // "<video folder>/<video name>-redub.mp4"
    static QString proposedOutput(const core::Project& project);

    // Validates the output path; on a problem shows it in the dialog and stays open.
    void accept() override;

private:
    QLineEdit* output_;
    QComboBox* quality_;
    QComboBox* preset_;
    QComboBox* model_;
    QSpinBox* steps_;
    QSpinBox* seed_;
    QComboBox* device_;
    QLabel* summary_;
    QLabel* error_;
    std::filesystem::path video_;
};

}  // namespace redub::ui
