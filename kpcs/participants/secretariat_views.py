from django.http import HttpResponse


def participant_list(request):  # temporary until the secretariat pages land
    return HttpResponse("")


participant_edit = observer_list = working_body_list = chairmanship_list = participant_list
