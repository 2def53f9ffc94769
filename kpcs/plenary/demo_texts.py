"""The texts of the demo plenary documents (kpcs.plenary.demo), language by language.

Bodies follow the document format: paragraphs separated by a blank line are numbered, a line
starting with # is a heading, lines starting with | are the rows of a table (the first row is
its header). The 2026 administrative decision and the final communiqué are given in all six
UN languages; the other documents in the languages a secretariat would have them in.
"""

from __future__ import annotations

# language → (title, body)
Texts = dict[str, tuple[str, str]]


def paragraphs(*blocks: str) -> str:
    """A body from its blocks (paragraphs, headings, tables), separated by blank lines."""
    return "\n\n".join(blocks)


ADMINISTRATIVE_DECISION_2026: Texts = {
    "en": (
        "Administrative decision on the submission of Kimberley Process statistics",
        paragraphs(
            "# Submission of statistics",
            "The Plenary, recalling Section V of the core document of the Kimberley Process "
            "Certification Scheme on cooperation and transparency, including the exchange of "
            "statistics, adopts this decision.",
            "Each participant submits its annual statistics on the production of and trade in "
            "rough diamonds to the secretariat no later than 31 March of the following year.",
            "Each participant submits its half-yearly statistics on trade in rough diamonds "
            "for the first half of the year no later than 30 September.",
            "The Working Group on Statistics reviews the submissions and informs the "
            "participant concerned of any anomalies.",
            "| Statistics | Deadline |\n"
            "| Annual production and trade | 31 March |\n"
            "| Half-yearly trade | 30 September |",
            "This decision replaces Administrative Decision 2 of 2012 and enters into force on "
            "adoption.",
        ),
    ),
    "fr": (
        "Décision administrative relative à la communication des statistiques du Processus de "
        "Kimberley",
        paragraphs(
            "# Communication des statistiques",
            "La Plénière, rappelant la section V du document de base du Système de "
            "certification du Processus de Kimberley relative à la coopération et à la "
            "transparence, y compris l'échange des statistiques, adopte la présente décision.",
            "Chaque participant communique au secrétariat ses statistiques annuelles sur la "
            "production et le commerce de diamants bruts au plus tard le 31 mars de l'année "
            "suivante.",
            "Chaque participant communique ses statistiques semestrielles sur le commerce de "
            "diamants bruts pour le premier semestre de l'année au plus tard le 30 septembre.",
            "Le Groupe de travail sur les statistiques examine les données communiquées et "
            "informe le participant concerné de toute anomalie.",
            "| Statistiques | Date limite |\n"
            "| Production et commerce annuels | 31 mars |\n"
            "| Commerce semestriel | 30 septembre |",
            "La présente décision remplace la décision administrative 2 de 2012 et entre en "
            "vigueur dès son adoption.",
        ),
    ),
    "es": (
        "Decisión administrativa sobre la presentación de las estadísticas del Proceso de "
        "Kimberley",
        paragraphs(
            "# Presentación de estadísticas",
            "El Plenario, recordando la sección V del documento básico del Sistema de "
            "Certificación del Proceso de Kimberley relativa a la cooperación y la "
            "transparencia, incluido el intercambio de estadísticas, adopta la presente "
            "decisión.",
            "Cada participante presenta a la secretaría sus estadísticas anuales sobre la "
            "producción y el comercio de diamantes en bruto a más tardar el 31 de marzo del "
            "año siguiente.",
            "Cada participante presenta sus estadísticas semestrales sobre el comercio de "
            "diamantes en bruto correspondientes al primer semestre del año a más tardar el 30 "
            "de septiembre.",
            "El Grupo de Trabajo sobre Estadísticas examina los datos presentados e informa al "
            "participante interesado de cualquier anomalía.",
            "| Estadísticas | Plazo |\n"
            "| Producción y comercio anuales | 31 de marzo |\n"
            "| Comercio semestral | 30 de septiembre |",
            "La presente decisión sustituye a la Decisión Administrativa 2 de 2012 y entra en "
            "vigor en el momento de su aprobación.",
        ),
    ),
    "ru": (
        "Административное решение о представлении статистических данных Кимберлийского процесса",
        paragraphs(
            "# Представление статистических данных",
            "Пленарное заседание, ссылаясь на раздел V основного документа Системы "
            "сертификации Кимберлийского процесса о сотрудничестве и транспарентности, включая "
            "обмен статистическими данными, принимает настоящее решение.",
            "Каждый участник представляет секретариату свои годовые статистические данные о "
            "добыче необработанных алмазов и торговле ими не позднее 31 марта следующего года.",
            "Каждый участник представляет свои полугодовые статистические данные о торговле "
            "необработанными алмазами за первое полугодие не позднее 30 сентября.",
            "Рабочая группа по статистике рассматривает представленные данные и сообщает "
            "соответствующему участнику о любых несоответствиях.",
            "| Статистические данные | Срок |\n"
            "| Годовые данные о добыче и торговле | 31 марта |\n"
            "| Полугодовые данные о торговле | 30 сентября |",
            "Настоящее решение заменяет Административное решение 2 от 2012 года и вступает в "
            "силу с момента его принятия.",
        ),
    ),
    "zh-hans": (
        "关于提交金伯利进程统计数据的行政决定",
        paragraphs(
            "# 提交统计数据",
            "全体会议回顾《金伯利进程证书制度》核心文件关于合作与透明度（包括交换统计数据）的第五节，通过本决定。",
            "各参与方应不迟于次年3月31日向秘书处提交其毛坯钻石生产和贸易年度统计数据。",
            "各参与方应不迟于9月30日提交本年度上半年毛坯钻石贸易半年度统计数据。",
            "统计工作组审查所提交的数据，并将任何异常情况通知有关参与方。",
            "| 统计数据 | 截止日期 |\n| 年度生产和贸易 | 3月31日 |\n| 半年度贸易 | 9月30日 |",
            "本决定取代2012年第2号行政决定，自通过之日起生效。",
        ),
    ),
    "ar": (
        "قرار إداري بشأن تقديم إحصاءات عملية كيمبرلي",
        paragraphs(
            "# تقديم الإحصاءات",
            "إن الاجتماع العام، إذ يشير إلى الفرع الخامس من الوثيقة الأساسية لنظام شهادات "
            "عملية كيمبرلي بشأن التعاون والشفافية، بما في ذلك تبادل الإحصاءات، يعتمد هذا "
            "القرار.",
            "يقدم كل مشارك إلى الأمانة إحصاءاته السنوية عن إنتاج الماس الخام والاتجار به في "
            "موعد أقصاه 31 آذار/مارس من السنة التالية.",
            "يقدم كل مشارك إحصاءاته نصف السنوية عن الاتجار بالماس الخام عن النصف الأول من "
            "السنة في موعد أقصاه 30 أيلول/سبتمبر.",
            "يستعرض الفريق العامل المعني بالإحصاءات البيانات المقدمة ويبلغ المشارك المعني بأي "
            "حالات شاذة.",
            "| الإحصاءات | الموعد النهائي |\n"
            "| الإنتاج والتجارة السنويان | 31 آذار/مارس |\n"
            "| التجارة نصف السنوية | 30 أيلول/سبتمبر |",
            "يحل هذا القرار محل القرار الإداري رقم 2 لعام 2012، ويبدأ نفاذه من تاريخ اعتماده.",
        ),
    ),
}

# The English source as it stood in the draft the working group circulated in October (the
# first recorded version; the Plenary moved the annual deadline to 31 March).
ADMINISTRATIVE_DECISION_2026_DRAFT_BODY = (
    ADMINISTRATIVE_DECISION_2026["en"][1]
    .replace(
        "no later than 31 March of the following year",
        "no later than 30 April of the following year",
    )
    .replace(
        "| Annual production and trade | 31 March |", "| Annual production and trade | 30 April |"
    )
)

FINAL_COMMUNIQUE_2026: Texts = {
    "en": (
        "Final communiqué of the Kimberley Process Plenary meeting, Gaborone, 3–6 November 2026",
        paragraphs(
            "The Plenary meeting of the Kimberley Process was held in Gaborone, Botswana, from "
            "3 to 6 November 2026. Delegations of participants and observers took part.",
            "The Plenary reaffirmed the commitment of the Kimberley Process to breaking the "
            "link between rough diamonds and armed conflict.",
            "# Decisions",
            "The Plenary adopted an administrative decision on the submission of Kimberley "
            "Process statistics, which replaces the decision of 2012.",
            "The Plenary welcomed the reports of the working bodies and took note of the "
            "review visits carried out during the year.",
            "The Plenary thanked the Government of Botswana for hosting the meeting.",
        ),
    ),
    "fr": (
        "Communiqué final de la réunion plénière du Processus de Kimberley, Gaborone, 3-6 "
        "novembre 2026",
        paragraphs(
            "La réunion plénière du Processus de Kimberley s'est tenue à Gaborone (Botswana) "
            "du 3 au 6 novembre 2026. Des délégations des participants et des observateurs y "
            "ont pris part.",
            "La Plénière a réaffirmé l'engagement du Processus de Kimberley à rompre le lien "
            "entre les diamants bruts et les conflits armés.",
            "# Décisions",
            "La Plénière a adopté une décision administrative relative à la communication des "
            "statistiques du Processus de Kimberley, qui remplace la décision de 2012.",
            "La Plénière a salué les rapports des organes de travail et a pris note des "
            "visites d'examen effectuées au cours de l'année.",
            "La Plénière a remercié le Gouvernement du Botswana d'avoir accueilli la réunion.",
        ),
    ),
    "es": (
        "Comunicado final de la reunión plenaria del Proceso de Kimberley, Gaborone, 3 a 6 de "
        "noviembre de 2026",
        paragraphs(
            "La reunión plenaria del Proceso de Kimberley se celebró en Gaborone (Botswana) "
            "del 3 al 6 de noviembre de 2026. Participaron en ella delegaciones de los "
            "participantes y de los observadores.",
            "El Plenario reafirmó el compromiso del Proceso de Kimberley de romper el vínculo "
            "entre los diamantes en bruto y los conflictos armados.",
            "# Decisiones",
            "El Plenario aprobó una decisión administrativa sobre la presentación de las "
            "estadísticas del Proceso de Kimberley, que sustituye a la decisión de 2012.",
            "El Plenario acogió con beneplácito los informes de los órganos de trabajo y tomó "
            "nota de las visitas de examen realizadas durante el año.",
            "El Plenario agradeció al Gobierno de Botswana la organización de la reunión.",
        ),
    ),
    "ru": (
        "Заключительное коммюнике пленарного заседания Кимберлийского процесса, Габороне, 3–6 "
        "ноября 2026 года",
        paragraphs(
            "Пленарное заседание Кимберлийского процесса состоялось в Габороне (Ботсвана) 3–6 "
            "ноября 2026 года. В нём приняли участие делегации участников и наблюдателей.",
            "Пленарное заседание подтвердило приверженность Кимберлийского процесса разрыву "
            "связи между необработанными алмазами и вооружёнными конфликтами.",
            "# Решения",
            "Пленарное заседание приняло административное решение о представлении "
            "статистических данных Кимберлийского процесса, которое заменяет решение 2012 "
            "года.",
            "Пленарное заседание приветствовало доклады рабочих органов и приняло к сведению "
            "обзорные визиты, проведённые в течение года.",
            "Пленарное заседание выразило признательность правительству Ботсваны за проведение "
            "заседания.",
        ),
    ),
    "zh-hans": (
        "金伯利进程全体会议最后公报（2026年11月3日至6日，哈博罗内）",
        paragraphs(
            "金伯利进程全体会议于2026年11月3日至6日在博茨瓦纳哈博罗内举行。各参与方和观察员代表团出席了会议。",
            "全体会议重申金伯利进程致力于切断毛坯钻石与武装冲突之间的联系。",
            "# 决定",
            "全体会议通过了关于提交金伯利进程统计数据的行政决定，该决定取代2012年的决定。",
            "全体会议欢迎各工作机构的报告，并注意到本年度开展的审查访问。",
            "全体会议感谢博茨瓦纳政府主办本次会议。",
        ),
    ),
    "ar": (
        "البيان الختامي للاجتماع العام لعملية كيمبرلي، غابورون، 3-6 تشرين الثاني/نوفمبر 2026",
        paragraphs(
            "عُقد الاجتماع العام لعملية كيمبرلي في غابورون (بوتسوانا) في الفترة من 3 إلى 6 "
            "تشرين الثاني/نوفمبر 2026. وشاركت فيه وفود المشاركين والمراقبين.",
            "وأكد الاجتماع العام من جديد التزام عملية كيمبرلي بقطع الصلة بين الماس الخام "
            "والنزاعات المسلحة.",
            "# القرارات",
            "واعتمد الاجتماع العام قرارًا إداريًا بشأن تقديم إحصاءات عملية كيمبرلي، يحل محل "
            "القرار الصادر في عام 2012.",
            "ورحب الاجتماع العام بتقارير الهيئات العاملة، وأحاط علمًا بزيارات الاستعراض التي "
            "أُجريت خلال العام.",
            "وشكر الاجتماع العام حكومة بوتسوانا على استضافة الاجتماع.",
        ),
    ),
}

CHAIRS_REPORT_2026: Texts = {
    "en": (
        "Report of the Kimberley Process Chair to the 2026 Plenary",
        paragraphs(
            "This report summarises the work of the Kimberley Process since the 2026 "
            "intersessional meeting held in Windhoek, Namibia, in June 2026.",
            "The working bodies met during the intersessional meeting and continued their work "
            "by correspondence. The Working Group on Statistics prepared the draft "
            "administrative decision on the submission of statistics that is before the "
            "Plenary.",
            "Two review visits took place during the year, and the annual reports of the "
            "participants were received and assessed by the Working Group on Monitoring.",
        ),
    ),
    "fr": (
        "Rapport de la présidence du Processus de Kimberley à la réunion plénière de 2026",
        paragraphs(
            "Le présent rapport résume les travaux du Processus de Kimberley depuis la réunion "
            "intersessions de 2026, tenue à Windhoek (Namibie) en juin 2026.",
            "Les organes de travail se sont réunis pendant la réunion intersessions et ont "
            "poursuivi leurs travaux par correspondance. Le Groupe de travail sur les "
            "statistiques a élaboré le projet de décision administrative relative à la "
            "communication des statistiques dont la Plénière est saisie.",
            "Deux visites d'examen ont eu lieu au cours de l'année, et les rapports annuels "
            "des participants ont été reçus et évalués par le Groupe de travail sur le suivi.",
        ),
    ),
    "es": (
        "Informe de la Presidencia del Proceso de Kimberley al Plenario de 2026",
        paragraphs(
            "El presente informe resume la labor del Proceso de Kimberley desde la reunión "
            "entre sesiones de 2026, celebrada en Windhoek (Namibia) en junio de 2026.",
            "Los órganos de trabajo se reunieron durante la reunión entre sesiones y "
            "prosiguieron su labor por correspondencia. El Grupo de Trabajo sobre Estadísticas "
            "preparó el proyecto de decisión administrativa sobre la presentación de "
            "estadísticas que tiene ante sí el Plenario.",
            "Durante el año se realizaron dos visitas de examen, y el Grupo de Trabajo de "
            "Vigilancia recibió y evaluó los informes anuales de los participantes.",
        ),
    ),
    "ru": (
        "Доклад Председателя Кимберлийского процесса пленарному заседанию 2026 года",
        paragraphs(
            "В настоящем докладе кратко излагается работа Кимберлийского процесса со времени "
            "межсессионного совещания 2026 года, состоявшегося в Виндхуке (Намибия) в июне "
            "2026 года.",
            "Рабочие органы провели заседания в ходе межсессионного совещания и продолжили "
            "работу в заочном режиме. Рабочая группа по статистике подготовила проект "
            "административного решения о представлении статистических данных, который вынесен "
            "на рассмотрение пленарного заседания.",
            "В течение года состоялись два обзорных визита, а годовые доклады участников были "
            "получены и оценены Рабочей группой по мониторингу.",
        ),
    ),
    "zh-hans": (
        "金伯利进程主席向2026年全体会议提交的报告",
        paragraphs(
            "本报告概述2026年6月在纳米比亚温得和克举行的2026年闭会期间会议以来金伯利进程的工作。",
            "各工作机构在闭会期间会议期间举行了会议，并通过通信方式继续开展工作。统计工作组编写了提交全体会议审议的关于提交统计数据的行政决定草案。",
            "本年度进行了两次审查访问，监测工作组收到并评估了各参与方的年度报告。",
        ),
    ),
}

CORE_DOCUMENT: Texts = {
    "en": (
        "Kimberley Process Certification Scheme: core document",
        paragraphs(
            "# Preamble",
            "Participants, recognising that the trade in conflict diamonds is a matter of "
            "serious international concern, establish an international certification scheme "
            "for rough diamonds based on national certification schemes and on internationally "
            "agreed minimum standards.",
            "# Section I: Definitions",
            "For the purposes of the scheme, conflict diamonds are rough diamonds used by "
            "rebel movements or their allies to finance conflict aimed at undermining "
            "legitimate governments.",
            "# Section II: The Kimberley Process Certificate",
            "Each participant ensures that each shipment of rough diamonds it exports is "
            "accompanied by a duly validated Kimberley Process Certificate that meets the "
            "minimum requirements of Annex I.",
            "# Section III: Undertakings in respect of the international trade in rough diamonds",
            "Each participant imports rough diamonds only from other participants and exports "
            "them only to other participants, and only with a validated certificate.",
            "# Section IV: Internal controls",
            "Each participant establishes a system of internal controls designed to eliminate "
            "the presence of conflict diamonds from shipments of rough diamonds imported into "
            "and exported from its territory.",
            "# Section V: Cooperation and transparency",
            "Participants provide each other, through the Chair, with information on their "
            "designated authorities, their laws and their official production and trade "
            "statistics.",
            "# Section VI: Administrative matters",
            "Participants meet in Plenary annually and take decisions by consensus. Between "
            "meetings the Chair and the working bodies administer the scheme.",
        ),
    ),
    "fr": (
        "Système de certification du Processus de Kimberley : document de base",
        paragraphs(
            "# Préambule",
            "Les participants, reconnaissant que le commerce des diamants de la guerre est une "
            "question qui suscite une vive préoccupation internationale, établissent un "
            "système international de certification des diamants bruts fondé sur des systèmes "
            "nationaux de certification et sur des normes minimales convenues au niveau "
            "international.",
            "# Section I : Définitions",
            "Aux fins du système, on entend par diamants de la guerre les diamants bruts "
            "utilisés par des mouvements rebelles ou leurs alliés pour financer des conflits "
            "visant à renverser des gouvernements légitimes.",
            "# Section II : Le certificat du Processus de Kimberley",
            "Chaque participant veille à ce que chaque expédition de diamants bruts qu'il "
            "exporte soit accompagnée d'un certificat du Processus de Kimberley dûment validé "
            "et conforme aux exigences minimales de l'annexe I.",
            "# Section III : Engagements relatifs au commerce international des diamants bruts",
            "Chaque participant n'importe des diamants bruts qu'en provenance d'autres "
            "participants et n'en exporte qu'à destination d'autres participants, et "
            "uniquement sous couvert d'un certificat validé.",
            "# Section IV : Contrôles internes",
            "Chaque participant met en place un système de contrôles internes visant à "
            "éliminer les diamants de la guerre des expéditions de diamants bruts importées "
            "sur son territoire et exportées de celui-ci.",
            "# Section V : Coopération et transparence",
            "Les participants se communiquent, par l'intermédiaire de la présidence, des "
            "informations sur leurs autorités désignées, leur législation et leurs "
            "statistiques officielles de production et de commerce.",
            "# Section VI : Questions administratives",
            "Les participants se réunissent en séance plénière chaque année et prennent leurs "
            "décisions par consensus. Entre les réunions, la présidence et les organes de "
            "travail administrent le système.",
        ),
    ),
}

GUIDANCE_NOTE_ANNUAL_REPORTS: Texts = {
    "en": (
        "Guidance on preparing the annual report of a participant",
        paragraphs(
            "Each participant reports every year on how it implements the Kimberley Process "
            "Certification Scheme. This note explains what the Working Group on Monitoring "
            "expects to find in an annual report.",
            "# Contents of the report",
            "The report describes the participant's laws and regulations, its designated "
            "authorities, its system of internal controls and its statistics for the year, and "
            "explains any change since the previous report.",
            "The report answers the recommendations of the participant's last review visit and "
            "states what was done to implement each of them.",
            "Reports are submitted to the Chair of the Working Group on Monitoring no later "
            "than 1 June of the following year.",
        ),
    ),
}

ADMINISTRATIVE_DECISION_2012: Texts = {
    "en": (
        "Administrative decision on Kimberley Process statistics submission deadlines",
        paragraphs(
            "The Plenary decides that participants submit their annual statistics on the "
            "production of and trade in rough diamonds to the Chair no later than 30 April of "
            "the following year.",
            "Half-yearly statistics on trade are submitted no later than 31 October.",
        ),
    ),
    "fr": (
        "Décision administrative relative aux délais de communication des statistiques du "
        "Processus de Kimberley",
        paragraphs(
            "La Plénière décide que les participants communiquent à la présidence leurs "
            "statistiques annuelles sur la production et le commerce de diamants bruts au plus "
            "tard le 30 avril de l'année suivante.",
            "Les statistiques semestrielles sur le commerce sont communiquées au plus tard le "
            "31 octobre.",
        ),
    ),
}

CORRIGENDUM_2013: Texts = {
    "en": (
        "Corrigendum to the administrative decision on statistics submission deadlines",
        paragraphs(
            "In paragraph 2, for “no later than 31 October” read “no later than 31 October of "
            "the same year”.",
        ),
    ),
}

WORKING_PAPER_2026: Texts = {
    "en": (
        "Draft terms of reference for the third round of peer review visits",
        paragraphs(
            "# Purpose",
            "The Working Group on Monitoring proposes terms of reference for the third round "
            "of review visits, to begin in 2027.",
            "Each participant is invited to receive a review visit once every five years; a "
            "participant that has not received one in its second round is visited first.",
            "The review team assesses the participant's internal controls, its statistics and "
            "the follow-up of the recommendations of its previous visit.",
            "# Questions for the working group",
            "Should the round include a visit to the participant's main diamond trading centre?",
        ),
    ),
    "fr": (
        "Projet de mandat pour le troisième cycle de visites d'examen par les pairs",
        "",
    ),
}
