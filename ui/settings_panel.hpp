// The "Dub Settings" dock: the media loaded, the face choice, and the generation
// settings (model, sampler steps, seed, device, length policy). Every change goes
// through Document's request functions (undoable); refresh() shows the project.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace redub::ui {

class Document;

class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    SettingsPanel(Document* doc, QWidget* parent = nullptr);

    void refresh();

private:
    Document* doc_;
    QLabel* files_label_;
    QLabel* face_label_;
    QComboBox* model_box_;
    QSpinBox* steps_box_;
    QSpinBox* seed_box_;
    QComboBox* device_box_;
    QComboBox* policy_box_;
    QCheckBox* own_lips_box_;
    QDoubleSpinBox* articulation_box_;
};

}  // namespace redub::ui
